// upkeep-mirror: after layout, note on <html> whether the page is wider than the screen
// (data-overflow-px = how many pixels a person would have to scroll sideways; 0 is the goal).
// The browser tests read it at phone width.
window.addEventListener("load", function () {
  var root = document.documentElement;
  root.setAttribute("data-overflow-px", String(Math.max(0, root.scrollWidth - root.clientWidth)));
});

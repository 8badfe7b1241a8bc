// upkeep-mirror: after layout, note on <html> whether the page is wider than the screen
// (data-overflow-px = how many pixels a person would have to scroll sideways; 0 is the goal).
// The browser tests read it at phone width.
window.addEventListener("load", function () {
  var root = document.documentElement;
  root.setAttribute("data-overflow-px", String(Math.max(0, root.scrollWidth - root.clientWidth)));
});
// Photos shown from the mirror: note how many images the page has and how many failed to load
// (data-images / data-images-broken; the browser tests read them on the work order page).
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var broken = images.filter(function (img) { return !img.complete || img.naturalWidth === 0; });
  document.documentElement.setAttribute("data-images", String(images.length));
  document.documentElement.setAttribute("data-images-broken", String(broken.length));
});

-- title: Preventive maintenance due soon
-- description: Active preventive maintenance schedules whose next work order is due within the next N days, including any already past due (negative days_until_due), with how often each repeats ("every 2 weeks"). Paused and archived schedules are left out.
-- param days: Look this many days ahead (whole days; empty means 14).
-- frequent: yes
SELECT m.id, m.name, m.work_order_title, m.next_due_date,
       round(julianday(m.next_due_date) - julianday('now'), 1) AS days_until_due,
       m.frequency, m.asset_id, m.asset_name, m.location_id, m.location_name,
       m.assigned_to, m.assigned_to_name, m.estimated_duration_hours
FROM maintenance_plans_detail m
WHERE m.next_due_date < strftime('%Y-%m-%dT%H:%M:%fZ', 'now',
                                 printf('%+d days', CAST(coalesce(nullif(:days, ''), 14) AS INTEGER)))
  AND m.active = 1
ORDER BY m.next_due_date, m.id

"""What saving rows needs to know of each mirrored table, as plain data.

The pull writes through plain ``sqlite3`` (:mod:`mirror.sqlite`), without importing SQLAlchemy
or the SQLModel models, so it cannot ask the models for their tables. This is what it would
ask: each entity's table, the table's columns in order with how a Python value is stored in
each (``name:utc`` a datetime as UTC text, ``:date`` a date as ``YYYY-MM-DD``, ``:json`` JSON
text, ``:bool`` 0/1; plain: as it is), and the value a column takes when a row leaves it out.

Derived from :mod:`mirror.models`: ``tests/test_store.py`` fails when the two disagree and
prints this module's new text (``python -m tests.tables_text`` prints it too).
"""

from __future__ import annotations

#: Mirrored entity (as the pull names it) -> its table: the main pull's, in the order it pulls
#: them, then field work's.
TABLES: dict[str, str] = {
    "users": "users",
    "teams": "teams",
    "locations": "locations",
    "vendors": "vendors",
    "customers": "customers",
    "assets": "assets",
    "parts": "spare_parts",
    "meters": "meters",
    "meter_readings": "meter_readings",
    "preventive_maintenance": "maintenance_plans",
    "work_orders": "work_orders",
    "requests": "requests",
    "purchase_orders": "purchase_orders",
    "form_templates": "form_templates",
    "asset_downtime_statuses": "asset_downtime_statuses",
    "custom_fields_assets": "custom_field_definitions",
    "files": "files",
}

#: Per table, its columns in order.
COLUMNS: dict[str, str] = {
    "users": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "name email first_name last_name account_type job_title"
    ),
    "teams": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "name description"
    ),
    "locations": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "name address parent_location latitude longitude"
    ),
    "vendors": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "name email phone_number type main_point_of_contact"
    ),
    "customers": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "name email phone_number type"
    ),
    "assets": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "name type location manufacturer model serial_number install_date:date criticality parent "
        "children:json failure_modes:json aliases:json metadata:json equipment_class_code category "
        "description barcode status assigned_to_user"
    ),
    "spare_parts": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state sku "
        "name manufacturer compatible_assets:json stock_quantity reorder_point lead_time_days unit_cost "
        "warehouse_location metadata:json description category location_id barcode part_number"
    ),
    "meters": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "name units frequency asset_id location_id last_reading"
    ),
    "meter_readings": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "meter_id value date:utc created_by"
    ),
    "maintenance_plans": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "asset_id name interval:json tasks:json estimated_duration_hours required_skills:json active:bool "
        "work_order_title location_id category upkeep_priority assigned_to schedule_type rrfreq rrinterval "
        "next_due_date:utc last_due_date:utc"
    ),
    "work_orders": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "type priority status asset_id description failure_mode requested_skills:json "
        "estimated_duration_hours spare_parts:json created_at:utc updated_at:utc assigned_to metadata:json "
        "failure_impact failure_cause title work_order_no upkeep_status upkeep_priority category location_id "
        "team_id due_date:utc start_date:utc date_completed:utc completed_by archived:bool time_hours "
        "labor_cost additional_cost parts_used:json"
    ),
    "requests": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "title description status upkeep_priority category asset_id location_id team_id assigned_to "
        "requested_by work_order_id due_date:utc"
    ),
    "purchase_orders": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "title description status purchase_order_number vendor_id category po_date:utc due_date:utc "
        "total_quantity total_cost parts:json"
    ),
    "form_templates": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "name description items:json created_by"
    ),
    "asset_downtime_statuses": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "name"
    ),
    "custom_field_definitions": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "applies_to name type options:json decimal_precision created_by"
    ),
    "files": (
        "id upkeep_created_at:utc upkeep_updated_at:utc raw:json synced_at:utc deleted_at:utc local_state "
        "filename url mime_type is_image:bool size_bytes content_state content_sha256 content_stored_bytes "
        "content_fetched_at:utc content_note"
    ),
}

#: Per table, the value a column takes when a row leaves it out (the models' defaults);
#: a column not listed takes NULL.
DEFAULTS: dict[str, dict[str, object]] = {
    "users": {
        "raw": {}, "local_state": "synced", "email": "", "first_name": "", "last_name": "",
        "job_title": "",
    },
    "teams": {
        "raw": {}, "local_state": "synced", "description": "",
    },
    "locations": {
        "raw": {}, "local_state": "synced", "address": "",
    },
    "vendors": {
        "raw": {}, "local_state": "synced", "email": "", "phone_number": "",
        "main_point_of_contact": "",
    },
    "customers": {
        "raw": {}, "local_state": "synced", "email": "", "phone_number": "",
    },
    "assets": {
        "raw": {}, "local_state": "synced", "manufacturer": "", "model": "", "serial_number": "",
        "criticality": "C", "children": [], "failure_modes": [], "aliases": [], "metadata": {},
        "description": "", "barcode": "",
    },
    "spare_parts": {
        "raw": {}, "local_state": "synced", "manufacturer": "", "compatible_assets": [],
        "stock_quantity": 0, "reorder_point": 0, "lead_time_days": 0, "unit_cost": 0.0,
        "warehouse_location": "", "metadata": {}, "description": "", "barcode": "",
    },
    "meters": {
        "raw": {}, "local_state": "synced", "units": "",
    },
    "meter_readings": {
        "raw": {}, "local_state": "synced",
    },
    "maintenance_plans": {
        "raw": {}, "local_state": "synced", "interval": {}, "tasks": [], "required_skills": [],
        "active": True, "work_order_title": "",
    },
    "work_orders": {
        "raw": {}, "local_state": "synced", "priority": "medium", "status": "created",
        "description": "", "requested_skills": [], "spare_parts": [], "metadata": {}, "title": "",
        "upkeep_status": "open", "upkeep_priority": 1, "archived": False, "additional_cost": 0.0,
        "parts_used": [],
    },
    "requests": {
        "raw": {}, "local_state": "synced", "description": "",
    },
    "purchase_orders": {
        "raw": {}, "local_state": "synced", "description": "", "parts": [],
    },
    "form_templates": {
        "raw": {}, "local_state": "synced", "description": "", "items": [],
    },
    "asset_downtime_statuses": {
        "raw": {}, "local_state": "synced",
    },
    "custom_field_definitions": {
        "raw": {}, "local_state": "synced", "applies_to": "assets", "options": [],
    },
    "files": {
        "raw": {}, "local_state": "synced", "is_image": False, "content_state": "missing",
        "content_stored_bytes": 0,
    },
}

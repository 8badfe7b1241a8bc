"""The words a maintenance department uses, so seeded data reads like a real plant's CMMS."""

from __future__ import annotations

FIRST_NAMES = (
    "Maria",
    "James",
    "Aisha",
    "Tomasz",
    "Lena",
    "Carlos",
    "Priya",
    "Owen",
    "Hannah",
    "Diego",
    "Fatima",
    "Noah",
    "Ingrid",
    "Kwame",
    "Sofia",
    "Liam",
    "Mei",
    "Rafael",
    "Elif",
    "Marcus",
)
LAST_NAMES = (
    "Novak",
    "Okafor",
    "Schmidt",
    "Garcia",
    "Patel",
    "Johansson",
    "Kowalski",
    "Nguyen",
    "Brennan",
    "Moreau",
    "Haddad",
    "Silva",
    "Fischer",
    "Tanaka",
    "Reyes",
    "Lindqvist",
    "Adeyemi",
    "Rossi",
)
TECH_TITLES = (
    "Maintenance Technician",
    "Electrician",
    "Millwright",
    "Instrument Technician",
    "HVAC Technician",
)
PLANNER_TITLES = ("Maintenance Planner", "Reliability Engineer", "Maintenance Supervisor")
TEAMS = (
    ("Mechanical Crew A", "Day-shift mechanical maintenance"),
    ("Mechanical Crew B", "Night-shift mechanical maintenance"),
    ("Electrical Shop", "Electrical and controls maintenance"),
    ("Utilities", "Boilers, compressed air, cooling water and HVAC"),
    ("Instrumentation", "Calibration and process instruments"),
    ("Reliability", "Condition monitoring and root-cause analysis"),
)

SITE = ("Riverside Plant", "1200 Industrial Parkway, Riverside, CA 92507, USA", -117.3961, 33.9533)
BUILDINGS = (
    "Building A - Production",
    "Building B - Utilities",
    "Boiler House",
    "Packaging Hall",
    "Warehouse",
    "Water Treatment",
    "Tank Farm",
    "Workshop",
)
AREAS = ("Line 1", "Line 2", "Line 3", "Pump Room", "MCC Room", "Mezzanine", "Roof", "Basement", "Dock")
STOREROOM = "Central Storeroom"

# category -> (asset nouns, tag prefix, models, meter (name, units, low, high))
ASSET_KINDS = {
    "Pumps": (
        ("Centrifugal Pump", "Dosing Pump", "Sump Pump", "Feed Pump"),
        "P",
        ("Grundfos NB 65-200", "KSB Etanorm 80", "Flowserve Durco Mark 3"),
        ("Discharge pressure", "bar", 2.0, 9.0),
    ),
    "Motors": (
        ("Induction Motor", "Gear Motor", "Drive Motor"),
        "M",
        ("ABB M3BP 160", "WEG W22 15kW", "Baldor EM4103T"),
        ("Winding temperature", "degC", 35.0, 95.0),
    ),
    "Compressors": (
        ("Air Compressor", "Screw Compressor", "Refrigeration Compressor"),
        "C",
        ("Atlas Copco GA37", "Ingersoll Rand R55", "Kaeser SM 15"),
        ("Run hours", "hours", 0.0, 60000.0),
    ),
    "Conveyors": (
        ("Belt Conveyor", "Roller Conveyor", "Screw Conveyor"),
        "CV",
        ("Dorner 3200", "Hytrol E24", "Interroll RM 8310"),
        ("Belt speed", "m/s", 0.5, 2.5),
    ),
    "HVAC": (
        ("Air Handling Unit", "Rooftop Unit", "Chiller", "Exhaust Fan"),
        "AHU",
        ("Carrier 39M", "Trane Voyager", "Daikin EWAD"),
        ("Supply air temperature", "degC", 12.0, 24.0),
    ),
    "Electrical": (
        ("Switchboard", "Transformer", "MCC Bucket", "UPS"),
        "E",
        ("Siemens SIVACON S8", "Schneider Okken", "Eaton 9PX"),
        ("Load current", "A", 50.0, 800.0),
    ),
    "Generators": (
        ("Standby Generator", "Diesel Genset"),
        "G",
        ("Caterpillar C15", "Cummins C500 D5", "Kohler KD800"),
        ("Engine hours", "hours", 0.0, 5000.0),
    ),
    "Boilers": (
        ("Steam Boiler", "Hot Water Boiler"),
        "B",
        ("Cleaver-Brooks CBLE", "Bosch UL-S", "Miura LX-300"),
        ("Steam pressure", "bar", 6.0, 12.0),
    ),
    "Instruments": (
        ("Flow Meter", "Pressure Transmitter", "Level Transmitter", "Analyzer"),
        "FT",
        ("Endress+Hauser Promag 10", "Rosemount 3051", "Yokogawa EJA110E"),
        ("Drift", "%", 0.0, 2.0),
    ),
    "Safety": (
        ("Fire Pump", "Eyewash Station", "Gas Detector", "Sprinkler Riser"),
        "S",
        ("Pentair Aurora 1000", "Honeywell XNX", "Haws 7501"),
        ("Test pressure", "bar", 8.0, 12.0),
    ),
}
SYSTEMS = (
    "Cooling Water System",
    "Compressed Air System",
    "Steam System",
    "Line 1 Drive Train",
    "Packaging Line",
    "Fire Protection System",
    "Main Power Distribution",
    "Wastewater Treatment",
)

# category -> ((title template, description template), ...); {a} is the asset name.
JOBS = {
    "Pumps": (
        (
            "Replace mechanical seal on {a}",
            "Seal leak observed at the stuffing box of {a}; replace seal and check shaft sleeve.",
        ),
        (
            "Investigate high vibration on {a}",
            "Vibration above 7 mm/s on the drive-end bearing of {a}. Check alignment and bearing condition.",
        ),
        ("Repack gland on {a}", "Gland packing on {a} is dripping; repack and adjust follower."),
    ),
    "Motors": (
        (
            "Replace bearings on {a}",
            "Bearing noise and elevated temperature on {a}; replace both bearings and regrease.",
        ),
        ("Megger test {a}", "Insulation resistance test of {a} windings after moisture ingress."),
        (
            "Check overheating of {a}",
            "{a} trips on thermal overload; inspect cooling fan and measure current.",
        ),
    ),
    "Compressors": (
        (
            "Replace air filter on {a}",
            "Differential pressure across the intake filter of {a} is high; replace filter.",
        ),
        ("Oil leak on {a}", "Oil leak at the separator housing of {a}; tighten fittings and replace gasket."),
        ("Service {a}", "4000-hour service on {a}: oil, oil filter, separator element, check belts."),
    ),
    "Conveyors": (
        (
            "Adjust belt tracking on {a}",
            "Belt on {a} is running off to the drive side; adjust tracking and tension.",
        ),
        ("Replace worn rollers on {a}", "Several rollers on {a} are seized and worn; replace and lubricate."),
        ("Repair belt splice on {a}", "Belt splice on {a} is lifting; repair before it tears."),
    ),
    "HVAC": (
        (
            "Replace filters on {a}",
            "Filter differential pressure high on {a}; replace pre-filters and bag filters.",
        ),
        ("Clean coils on {a}", "Condenser coil of {a} is fouled; clean and check refrigerant pressures."),
        ("Fix belt slip on {a}", "Fan belt on {a} slipping and squealing; replace belt and align pulleys."),
    ),
    "Electrical": (
        ("Thermographic survey of {a}", "Infrared scan of {a}; hot spot found on an incoming terminal."),
        ("Tighten connections on {a}", "Re-torque busbar and cable connections on {a}."),
        ("Replace failed breaker in {a}", "Breaker in {a} will not reset; replace and test."),
    ),
    "Generators": (
        ("Load test {a}", "Monthly load test of {a}; record voltage, frequency and coolant temperature."),
        ("Replace battery on {a}", "Starting battery of {a} fails load test; replace."),
        ("Fuel leak on {a}", "Diesel leak at the fuel filter housing of {a}; replace O-ring."),
    ),
    "Boilers": (
        ("Inspect burner on {a}", "Flame failure alarms on {a}; inspect burner, igniter and flame scanner."),
        ("Descale {a}", "Water-side scale found on {a}; chemical descale and inspect tubes."),
        ("Replace safety valve on {a}", "Safety valve of {a} is passing; replace and recertify."),
    ),
    "Instruments": (
        ("Calibrate {a}", "Calibration check of {a} against the reference standard; adjust zero and span."),
        ("Replace failed {a}", "{a} reads erratically; replace transmitter and verify loop."),
        (
            "Check signal loss on {a}",
            "4-20 mA signal from {a} drops out intermittently; check wiring and junction box.",
        ),
    ),
    "Safety": (
        ("Inspect {a}", "Monthly safety inspection of {a}; record results and tag."),
        ("Repair leak on {a}", "Water leak reported at {a}; repair and pressure test."),
        ("Replace sensor in {a}", "Sensor of {a} past its end of life; replace and bump test."),
    ),
}
GENERAL_JOBS = (
    ("Fix lighting in {l}", "Several light fittings out in {l}; replace lamps and drivers."),
    ("Repair door in {l}", "Roller door in {l} does not close fully; adjust limit switch."),
    ("Clean up oil spill in {l}", "Oil spill on the floor of {l}; clean, find the source, report."),
)
PM_TASKS = ("Lubricate", "Inspect", "Service", "Test", "Calibrate", "Clean")

WO_CATEGORIES = ("Preventive", "Reactive", "Electrical", "Safety", "Inspection", "Damage", "Project", "Meter")
WO_CATEGORY_WEIGHTS = (45, 28, 8, 5, 8, 3, 2, 1)

PARTS = (  # (name, category, part number prefix, unit cost)
    ("Deep groove ball bearing 6205-2RS", "Bearings", "BRG", 12.5),
    ("Spherical roller bearing 22216", "Bearings", "BRG", 148.0),
    ("Mechanical seal 35 mm", "Seals", "SEL", 210.0),
    ("Gland packing PTFE 10 mm (m)", "Seals", "SEL", 18.0),
    ("O-ring kit, Viton", "Seals", "SEL", 42.0),
    ("V-belt SPB 1800", "Belts", "BLT", 24.0),
    ("Timing belt HTD 8M-1200", "Belts", "BLT", 65.0),
    ("Air filter element", "Filters", "FLT", 55.0),
    ("Oil filter", "Filters", "FLT", 19.5),
    ("Bag filter F7 592x592", "Filters", "FLT", 31.0),
    ("Hydraulic oil ISO VG 46 (20 L)", "Lubricants", "LUB", 96.0),
    ("Bearing grease EP2 (400 g)", "Lubricants", "LUB", 9.8),
    ("Contactor 3-pole 32 A", "Electrical", "ELC", 74.0),
    ("Circuit breaker 3P 63 A", "Electrical", "ELC", 160.0),
    ("Fuse 10x38 16 A", "Electrical", "ELC", 2.4),
    ("Pressure transmitter 0-10 bar", "Instrumentation", "INS", 420.0),
    ("Thermocouple type K", "Instrumentation", "INS", 38.0),
    ("Ball valve DN50", "Valves", "VLV", 88.0),
    ("Solenoid valve 1/2in 24 VDC", "Valves", "VLV", 115.0),
    ("Conveyor roller 50 mm", "Conveyor", "CNV", 27.0),
    ("Hex bolt M12x50 8.8 (box)", "Fasteners", "FST", 14.0),
    ("Motor 2.2 kW IE3", "Motors", "MTR", 380.0),
)
PO_CATEGORIES = ("Spare Parts", "Consumables", "Services", "Electrical", "Tools")
VENDORS = (
    "Grundfos Service",
    "SKF Bearing Centre",
    "ABB Drives",
    "Atlas Copco",
    "Siemens Industry",
    "Emerson Automation",
    "Flowserve",
    "Carrier Commercial",
    "Cleaver-Brooks",
    "Grainger",
    "Motion Industries",
    "Applied Industrial",
    "Endress+Hauser",
    "Kaeser Compressors",
)
VENDOR_TYPES = ("Parts", "Service", "Raw-Material", "Contractor")
CUSTOMERS = (
    "Northwind Foods",
    "Acme Beverages",
    "Contoso Packaging",
    "Globex Chemicals",
    "Initech Labs",
    "Umbrella Logistics",
    "Stark Components",
    "Wayne Paper",
)
REQUEST_TITLES = (
    "Strange noise from {a}",
    "Leak near {a}",
    "{a} not starting",
    "Light out in {l}",
    "Smell of burning near {a}",
    "Guard missing on {a}",
    "Temperature too high in {l}",
)

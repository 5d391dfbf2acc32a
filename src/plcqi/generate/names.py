"""Small local word lists for realistic, entirely fictitious people and organizations."""

from __future__ import annotations

FIRST_NAMES = (
    "Aaliyah", "Adrian", "Alicia", "Amir", "Ana", "Andre", "Angela", "Ben", "Brenda", "Carla",
    "Carlos", "Chen", "Chris", "Dana", "Daniel", "Deborah", "Denise", "Diego", "Elena", "Emily",
    "Eric", "Fatima", "Gloria", "Grace", "Hannah", "Hector", "Imani", "Jamal", "Jane", "Jasmine",
    "Jennifer", "Joan", "Jorge", "Julie", "Karen", "Keisha", "Kevin", "Laura", "Leah", "Linda",
    "Lisa", "Luis", "Maria", "Mark", "Megan", "Michelle", "Monica", "Nadia", "Naomi", "Nicole",
    "Omar", "Patricia", "Paul", "Priya", "Rachel", "Renee", "Robert", "Rosa", "Ruth", "Samuel",
    "Sandra", "Sara", "Sean", "Sharon", "Sofia", "Stephanie", "Tamika", "Teresa", "Thomas",
    "Tina", "Tyrone", "Valerie", "Vanessa", "Wendy", "Yolanda", "Yusuf",
)

LAST_NAMES = (
    "Adams", "Alvarez", "Anderson", "Baker", "Begay", "Bennett", "Brooks", "Brown", "Campbell",
    "Carter", "Castillo", "Chavez", "Clark", "Collins", "Cruz", "Davis", "Diaz", "Edwards",
    "Evans", "Fisher", "Flores", "Foster", "Garcia", "Gomez", "Gonzalez", "Gray", "Green",
    "Hall", "Harris", "Hernandez", "Hill", "Howard", "Hughes", "Jackson", "James", "Jenkins",
    "Johnson", "Jones", "Kelly", "Kim", "King", "Lee", "Lewis", "Lopez", "Martin", "Martinez",
    "Mitchell", "Moore", "Morales", "Morgan", "Murphy", "Nguyen", "Okafor", "Ortiz", "Parker",
    "Patel", "Perez", "Peterson", "Phillips", "Ramirez", "Reed", "Reyes", "Rivera", "Roberts",
    "Robinson", "Rodriguez", "Ross", "Sanchez", "Scott", "Shah", "Smith", "Stewart", "Sullivan",
    "Taylor", "Thomas", "Thompson", "Torres", "Turner", "Walker", "Ward", "Washington",
    "Watson", "White", "Williams", "Wilson", "Wright", "Yazzie", "Young",
)

# (grantee_id, name, ACF region): real CCDF tribal grantees, plausible region.
TRIBES = (
    ("T-1001", "Cherokee Nation", 6),
    ("T-1002", "Navajo Nation", 9),
    ("T-1003", "Confederated Salish and Kootenai Tribes", 8),
    ("T-1004", "Oneida Nation", 5),
    ("T-1005", "Mississippi Band of Choctaw Indians", 4),
    ("T-1006", "Tohono O'odham Nation", 9),
    ("T-1007", "Confederated Tribes of the Umatilla Indian Reservation", 10),
    ("T-1008", "Red Lake Band of Chippewa Indians", 5),
    ("T-1009", "Cheyenne River Sioux Tribe", 8),
    ("T-1010", "Penobscot Nation", 1),
    ("T-1011", "Central Council of the Tlingit & Haida Indian Tribes of Alaska", 10),
)

# Lead agency names: (suffix, e-mail sub-domain).
LEAD_AGENCIES = (
    ("Department of Human Services", "dhs"),
    ("Office of Early Childhood", "oec"),
    ("Department of Children and Families", "dcf"),
    ("Department of Early Learning", "del"),
    ("Department of Social Services", "dss"),
    ("Division of Child Care", "dcc"),
)
TRIBAL_LEAD_AGENCIES = (("Child Care Program", "ccp"), ("Early Childhood Department", "ecd"))

PARTNER_ORGS = (
    ("Afterschool Network", "afterschool.org"),
    ("Child Care Resource & Referral Network", "ccrr.org"),
    ("Head Start Collaboration Office", "hsco.org"),
    ("Department of Education", "doe.gov"),
    ("Early Learning Coalition", "elc.org"),
    ("Infant Toddler Specialist Network", "itsn.org"),
)
CONTRACTORS = (
    ("Early Learning Consulting LLC", "elconsulting.com"),
    ("Policy Partners Group", "policypartners.com"),
    ("Bright Path Evaluation", "brightpatheval.com"),
)

LEAD_AGENCY_ROLES = (
    "CCDF Administrator", "Child Care Program Manager", "Policy Analyst", "Licensing Supervisor",
    "Quality Initiatives Coordinator", "Subsidy Program Specialist",
    "Professional Development Manager", "Program Specialist",
)
OTHER_ROLES = (
    "Executive Director", "Program Director", "Training Coordinator", "Coach",
    "Quality Improvement Specialist", "Network Coordinator",
)
CONTRACTOR_ROLES = ("Consultant", "Senior Consultant", "Project Manager")

COMMENTS = (
    "The breakout time with our state team was the most useful part.",
    "Hearing how other states handled this gave us ideas we can use.",
    "Sessions were a bit long; shorter meetings would help.",
    "We need more time between sessions to do the homework.",
    "Great facilitation, very well organized.",
    "It was hard to get our lead agency to attend.",
    "Would like more examples from states similar in size to ours.",
    "Staff turnover made it hard to keep the team together.",
    "The action plan template was helpful.",
    "Please share the slides ahead of time.",
    "Scheduling across time zones was difficult.",
    "Our legislature has to approve changes, so progress is slow.",
)
# Comments with contact details, so redaction has something to do.
CONTACT_COMMENTS = (
    "Happy to share our toolkit, email me at {email}.",
    "Please follow up with me: {email} or {phone}.",
    "Call me at {phone} if you want our draft policy.",
)

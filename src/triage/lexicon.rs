//! Hand-written general knowledge the triage method starts from.
//!
//! **Invariant:** nothing here is lifted from a labeled data set. The cue
//! phrases paraphrase the category, impact and urgency definitions of the
//! hypercare handbook (see `tests/fixtures/hypercare-erp-README.md`); the
//! concept groups are general IT-support and ERP/HR/CRM synonyms, so that
//! "handheld", "scanner" and "RF gun" or "slow", "spinning" and "timed out"
//! meet in one feature whatever the go-live's own wording is.

/// Words that carry no topic.
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
    "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him",
    "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me",
    "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only",
    "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some",
    "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what",
    "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you",
    "your", "yours", "hi", "hello", "thanks", "thank", "please", "regards", "team", "dear", "re",
    "fw", "fwd", "cc", "subject", "sent", "from", "to", "get", "got", "gets", "still", "like",
    "one", "two", "three", "it's", "i'm", "don't", "can't", "doesn't", "isn't", "won't", "didn't",
    "there's", "we're", "they're", "that's", "caller", "user", "users", "says", "said", "today",
    "yesterday", "week", "morning", "since", "way", "need", "needs", "know", "see", "seems",
    "via", "etc", "e.g", "eg", "ie", "ok", "okay", "yes", "lot", "lots", "every", "anything",
    "something", "everything", "someone", "anyone", "new", "old", "system", "erp",
];

/// Stems of nouns that count people ("30 pickers", "12 agents").
pub const PEOPLE_NOUNS: &[&str] = &[
    "user", "peopl", "person", "staff", "employe", "picker", "agent", "clerk", "csr", "rep",
    "counter", "approv", "manag", "buyer", "nurs", "worker", "driver", "member", "colleagu",
    "accountant", "planner", "supervisor", "technician", "advisor", "seller", "associ", "operat",
    "caller", "custom", "store", "branch", "site", "locat", "team",
];

/// Concept groups: general synonyms of IT support and business software.
/// Multi-word entries match as phrases (after stemming).
pub const CONCEPTS: &[(&str, &[&str])] = &[
    ("slowness", &["slow", "slowly", "sluggish", "lag", "laggy", "forever", "spinning", "spins", "spinner", "hang", "hangs", "hanging", "freeze", "freezes", "frozen", "timeout", "timeouts", "timed out", "time out", "unresponsive", "latency", "performance", "ages", "crawl"]),
    ("login_access", &["login", "log in", "logon", "log on", "sign in", "signin", "sso", "password", "mfa", "authenticate", "authentication", "session expired", "locked out", "redirect", "single sign-on", "access denied"]),
    ("find_locate", &["find", "locate", "where is", "where are", "where do", "where did", "can't see", "cannot see", "hidden", "buried", "navigate", "navigation", "menu", "look for", "looking for", "search", "disappeared", "gone"]),
    ("report_list", &["report", "reports", "reporting", "listing", "dashboard", "overview", "analytics", "query", "view", "worklist"]),
    ("export_excel", &["export", "excel", "csv", "spreadsheet", "xlsx", "download", "upload", "mass update", "bulk", "copy paste", "copy-paste"]),
    ("print_label", &["print", "printer", "printing", "printed", "printout", "label", "labels", "font", "barcode", "layout", "margin", "alignment", "misaligned", "truncated", "cut off"]),
    ("device_mobile", &["scanner", "scanners", "handheld", "handhelds", "rf", "gun", "guns", "device", "devices", "tablet", "mobile", "terminal", "kiosk", "scan"]),
    ("approval_workflow", &["approve", "approval", "approvals", "approver", "approvers", "reject", "workflow", "inbox", "substitute", "delegate", "delegation", "sign off", "sign-off", "authorise", "authorize"]),
    ("interface_sync", &["interface", "integration", "sync", "synced", "syncing", "api", "edi", "feed", "middleware", "webhook", "connector", "batch job", "file transfer", "sftp", "endpoint", "oauth", "token", "crm", "salesforce", "hubspot", "dynamics", "inbound", "outbound", "idoc", "xml", "json"]),
    ("docs_guide", &["manual", "guide", "guides", "job aid", "qrg", "quick reference", "kb", "knowledge base", "article", "faq", "documentation", "instructions", "screenshot", "screenshots", "sop", "checklist", "wiki", "handbook", "user guide", "cheat sheet", "intranet", "translation", "translated"]),
    ("training_gap", &["training", "trained", "refresher", "retrain", "course", "e-learning", "elearning", "mistake", "mistakes", "wrong again", "nobody told", "didn't know", "not sure how", "how do i", "how to", "how can i", "supposed to", "reinforce", "coaching", "showed her", "showed him", "explained", "walked through"]),
    ("duplicate", &["duplicate", "duplicates", "duplicated", "dupe", "dupes", "twice", "double", "doubled", "multiple records", "same customer", "same vendor", "same employee", "merge"]),
    ("unit_measure", &["unit", "units", "uom", "conversion", "convert", "each", "eaches", "case", "cases", "box", "boxes", "pallet", "kg", "pieces", "piece", "dozen", "hours", "fte"]),
    ("invoice_billing", &["invoice", "invoices", "invoiced", "invoicing", "billing", "bill", "billed", "credit memo", "statement", "receivable", "payable"]),
    ("pay_salary", &["pay", "payslip", "payroll", "salary", "salaries", "wage", "wages", "overtime", "deduction", "pension", "tax", "bonus", "payday", "pay day", "pay run", "net pay", "gross"]),
    ("error_failure", &["error", "errors", "fail", "fails", "failed", "failing", "failure", "exception", "crash", "crashes", "crashed", "broken", "bug", "defect"]),
    ("hold_block", &["hold", "holds", "block", "blocked", "blocking", "lock", "locked", "release", "released", "stuck", "pending", "greyed", "grayed", "disabled"]),
    ("period_close", &["close", "closing", "month-end", "month end", "year-end", "year end", "period", "accrual", "accruals", "posting date", "journal", "reversal", "reconciliation", "ledger", "reclass"]),
    ("stock_count", &["count", "counts", "counting", "counted", "recount", "stocktake", "inventory", "physical inventory", "stock", "bin", "bins", "warehouse"]),
    ("goods_receipt", &["receipt", "receipts", "receive", "received", "receiving", "gr", "goods receipt", "three-way", "3-way", "match", "matching", "purchase order", "po"]),
    ("leave_time", &["leave", "holiday", "holidays", "absence", "absences", "vacation", "pto", "sick", "timesheet", "timesheets", "clock", "roster", "rota", "shift", "shifts", "annual leave", "accrual balance"]),
    ("master_record", &["master", "master data", "record", "records", "account", "accounts", "customer", "customers", "vendor", "vendors", "supplier", "suppliers", "employee", "employees", "contact", "contacts", "address", "migration", "migrated", "legacy", "cleanse", "cleanup"]),
    ("shipping", &["ship", "shipping", "shipment", "shipments", "shipped", "delivery", "deliveries", "carrier", "dock", "truck", "trucks", "freight", "dispatch", "pick", "picking", "picker", "wave"]),
    ("order_entry", &["order", "orders", "sales order", "quote", "quotes", "opportunity", "opportunities", "case", "lead", "leads"]),
    ("price_amount", &["price", "prices", "pricing", "amount", "amounts", "cost", "costs", "discount", "rate", "rates", "total", "totals", "calculation", "calculated", "rounding"]),
    ("confusing_ui", &["confusing", "confused", "unclear", "not obvious", "intuitive", "icon", "icons", "button", "buttons", "tile", "tiles", "click", "clicks", "screen", "field", "fields", "tab", "tabs", "too many", "hard to", "clunky"]),
    ("request_wish", &["request", "requesting", "wish", "would be nice", "nice to have", "could we", "can we", "can you add", "please add", "ability to", "option to", "would like", "feature", "enhancement", "add a", "should allow"]),
];

/// Cue phrases for each category, paraphrasing the handbook's definitions.
/// Matched as lower-case substrings of title + description.
pub const CATEGORY_CUES: &[(&str, &[&str])] = &[
    ("critical_bug", &["cannot log in", "can't log in", "can't login", "cannot login", "unable to log", "nobody can", "no one can", "none of the", "system down", "is down", "outage", "crash", "corrupt", "all users", "everyone", "wrong person", "exposed", "visible to", "paid nothing", "zero pay", "$0 pay", "p1", "sev 1", "sev1", "bridge call", "major incident", "completely blocked", "entire"]),
    ("major_bug", &["not working", "doesn't work", "does not work", "not being", "skips", "skipped", "wrong", "incorrect", "instead of", "should be", "should have", "expected", "miscalculat", "calculation", "twice", "double", "missing from", "not picked up", "not triggered", "fails", "failed", "bug", "defect", "fix"]),
    ("performance", &["slow", "timeout", "timed out", "time out", "forever", "spinning", "minutes", "seconds", "min ", "sec ", "freez", "frozen", "hang", "lag", "unresponsive", "loading", "takes ages", "waiting", "performance"]),
    ("usability", &["can't find", "cannot find", "couldn't find", "where is", "where do i", "where are", "where did", "confus", "hidden", "not obvious", "unclear", "too many", "hard to", "no way to see", "greyed out", "grayed out", "which one", "click through", "buried", "icon", "no message", "doesn't tell", "no indication", "can't tell", "don't know which", "menu", "scroll", "layout"]),
    ("integration", &["interface", "integration", "sync", "api", "edi", "feed", "import", "middleware", "crm", "salesforce", "bank file", "tax engine", "tax service", "carrier", "401", "403", "500", "oauth", "not flowing", "batch job", "job failed", "not arriving", "not transferred", "file rejected", "rejected by", "hmrc", "pension file", "connector", "webhook", "e-mail-to-case", "email-to-case", "third-party", "external system"]),
    ("minor_bug", &["typo", "misaligned", "alignment", "truncated", "cut off", "cosmetic", "font", "label", "column", "date format", "spelling", "overlap", "garbled", "still works", "minor", "looks odd", "looks wrong", "wrong format", "decimal", "rounding display", "tooltip", "width", "prints"]),
    ("documentation", &["manual", "guide", "job aid", "qrg", "quick reference", "kb", "article", "faq", "documentation", "instructions", "screenshot", "sop", "checklist", "wiki", "link", "outdated", "out of date", "user guide", "cheat sheet", "reference card", "no document", "not documented", "translated", "translation"]),
    ("training", &["how do i", "how to", "how can i", "again", "keep ", "keeps", "third time", "3rd time", "mistake", "refresher", "training", "trained", "didn't know", "nobody told", "not sure how", "forgot", "supposed to", "procedure", "reinforce", "showed her", "showed him", "explained", "walked", "wrong code", "wrong date", "wrong account", "user error", "instead of", "should have", "before", "sequence", "step"]),
    ("enhancement", &["can we", "could we", "please add", "would be nice", "nice to have", "request", "feature", "ability to", "option to", "export", "excel", "csv", "bulk", "mass ", "upload", "dashboard", "new field", "would save", "wish", "would like", "it would help", "add a", "add an", "spreadsheet"]),
    ("data_issue", &["migrat", "duplicate", "dupe", "master data", "conversion", "balance", "legacy", "mismatch", "clean up", "cleanup", "inconsistent", "wrong address", "missing data", "records", "converted", "old system", "loaded", "wrong unit", "unit of measure", "uom", "doesn't match", "don't match", "reconcile"]),
];

/// Cue phrases for impact (how many people are affected).
pub const IMPACT_CUES: &[(&str, &[&str])] = &[
    ("single_user", &["i ", "i'm", "my ", "me ", "caller", "for me", "one user", "only me", "just me", "this user", "her ", "his "]),
    ("team", &["team", "shift", "we ", "our ", "us ", "group", "colleagues", "folks", "guys", "crew", "ward", "few users", "several users", "some users", "couple of"]),
    ("department", &["department", "all of ", "whole ", "entire", "site", "plant", "all the ", "finance", "customer service", "warehouse", "across", "every ", "dc ", "division", "function"]),
    ("organization", &["all users", "everyone", "company-wide", "companywide", "across all", "all departments", "all customers", "whole company", "every user", "organization", "organisation", "all sites", "all plants", "group-wide", "nobody can", "no one can", "whole payroll", "all employees"]),
];

/// Cue phrases for urgency (time pressure and workaround).
pub const URGENCY_CUES: &[(&str, &[&str])] = &[
    ("low", &["would be nice", "nice to have", "no rush", "when you get a chance", "cosmetic", "still works", "fine", "question", "curious", "wondering", "minor", "survey", "workaround", "not urgent", "low priority", "annoying"]),
    ("medium", &["workaround", "manual", "takes me", "every day", "daily", "this week", "next week", "slows", "extra work", "retyping", "copy", "time-consuming", "hours"]),
    ("high", &["urgent", "asap", "today", "deadline", "month-end", "month end", "close", "cut-off", "cutoff", "payment run", "pay day", "payday", "customer waiting", "missed", "threatening", "immediately", "blocked", "stopped", "can't ship", "trucks", "before friday", "tomorrow", "escalat", "angry", "penalt", "audit"]),
    ("critical", &["nobody can", "no one can", "cannot log in", "can't log in", "unable to log", "system down", "no workaround", "completely", "all blocked", "outage", "bridge call", "p1", "dead in the water", "can't work", "cannot work", "paid nothing", "not paid"]),
];

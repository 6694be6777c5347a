//! The demo company: its ERP modules, sites, partners and people.

/// A functional area of the ERP, with the words its users use.
pub struct Module {
    pub name: &'static str,
    /// Business objects ("sales order", ...).
    pub objects: &'static [&'static str],
    /// Screens, apps and transactions.
    pub apps: &'static [&'static str],
    /// Fields users complain about.
    pub fields: &'static [&'static str],
    /// Systems on the other side of this module's interfaces.
    pub partners: &'static [&'static str],
    /// Things users need to learn to do ("release a purchase requisition").
    pub tasks: &'static [&'static str],
    /// First digits of this module's document numbers.
    pub doc_prefix: u64,
    /// Indexes into [`CONSULTANTS`] of the people who own this module.
    pub owners: &'static [usize],
}

pub const MODULES: &[Module] = &[
    Module {
        name: "Order-to-cash",
        objects: &["sales order", "delivery", "customer invoice", "credit memo", "quotation", "return order"],
        apps: &["Create Sales Order (VA01)", "Manage Sales Orders", "Billing Due List (VF04)", "Credit Management", "Customer Returns"],
        fields: &["payment terms", "incoterms", "ship-to party", "pricing condition", "customer PO number", "delivery date", "credit limit"],
        partners: &["Salesforce CRM", "EDI hub (ORDERS/INVOIC)", "e-invoicing portal", "Vertex tax engine"],
        tasks: &["create a sales order with a reference", "release a credit block", "create a credit memo request", "reprint an invoice", "process a customer return"],
        doc_prefix: 10,
        owners: &[0, 1, 11],
    },
    Module {
        name: "Procure-to-pay",
        objects: &["purchase order", "purchase requisition", "goods receipt", "supplier invoice", "supplier", "contract"],
        apps: &["Create Purchase Order (ME21N)", "Manage Purchase Requisitions", "Supplier Invoice (MIRO)", "My Inbox approvals", "Supplier Evaluation"],
        fields: &["GR/IR account", "price unit", "purchasing group", "tolerance limit", "approval limit", "vendor bank details"],
        partners: &["supplier portal (Ariba)", "EDI hub (ORDRSP/DESADV)", "OCR invoice scanning", "bank (payment run)"],
        tasks: &["release a purchase requisition", "post a goods receipt for a partial delivery", "park and post a supplier invoice", "approve a purchase order in My Inbox", "create a service entry sheet"],
        doc_prefix: 45,
        owners: &[2, 3],
    },
    Module {
        name: "Finance month-end",
        objects: &["journal entry", "accrual", "payment run", "bank statement", "asset", "intercompany posting"],
        apps: &["Post General Journal Entries", "Open/Close Posting Periods", "Bank Statement Monitor", "Trial Balance", "Asset Explorer"],
        fields: &["posting period", "tax code", "profit center", "exchange rate", "cost center", "clearing document"],
        partners: &["bank (CAMT.053)", "consolidation tool", "Vertex tax engine", "data warehouse"],
        tasks: &["open the next posting period", "clear open items on the bank account", "post an accrual for month-end", "run the foreign currency valuation", "reverse a journal entry"],
        doc_prefix: 19,
        owners: &[4, 5],
    },
    Module {
        name: "Warehouse",
        objects: &["picking task", "handling unit", "transfer order", "shipping label", "stock transfer", "inbound delivery"],
        apps: &["RF scanner picking", "RF goods receipt", "Warehouse Monitor", "Label printing", "Physical Inventory"],
        fields: &["storage bin", "batch number", "handling unit ID", "pick quantity", "shelf-life date", "carrier"],
        partners: &["DHL carrier portal", "Zebra label printers", "RF scanners (Zebra TC52)", "transport management"],
        tasks: &["confirm a pick with the RF scanner", "split a handling unit", "post a stock transfer between bins", "reprint a shipping label", "count a bin for physical inventory"],
        doc_prefix: 80,
        owners: &[6, 7],
    },
    Module {
        name: "HR and payroll",
        objects: &["employee record", "payroll result", "timesheet", "absence request", "org unit", "cost allocation"],
        apps: &["Maintain Employees", "Time Sheet", "Payroll Control Center", "Manage Absences", "Org Chart"],
        fields: &["pay scale group", "working time schedule", "bank account", "cost center assignment", "entry date"],
        partners: &["ADP payroll", "time clocks (Kronos)", "pension fund interface", "Active Directory"],
        tasks: &["approve a timesheet", "request leave in the new portal", "correct a clock-in", "check a payslip preview", "assign an employee to a new cost center"],
        doc_prefix: 30,
        owners: &[8, 9],
    },
    Module {
        name: "Production and MRP",
        objects: &["production order", "planned order", "bill of material", "routing", "MRP run", "quality inspection lot"],
        apps: &["MRP Live (MD01N)", "Manage Production Orders", "Stock/Requirements List (MD04)", "Confirm Production Operation", "Quality Inspection"],
        fields: &["lot size", "MRP controller", "scrap percentage", "planned delivery time", "work center"],
        partners: &["MES shop-floor system", "quality lab system (LIMS)", "data warehouse"],
        tasks: &["convert a planned order", "confirm an operation with scrap", "read the stock/requirements list", "record a usage decision", "reschedule a production order"],
        doc_prefix: 60,
        owners: &[10, 3],
    },
    Module {
        name: "Master data",
        objects: &["customer master", "material master", "supplier master", "price list", "bank master", "chart of accounts"],
        apps: &["Manage Business Partner", "Manage Product Master", "Mass Maintenance", "Data Migration Cockpit", "Manage Prices"],
        fields: &["VAT number", "unit of measure", "sales area", "reconciliation account", "material group", "dunning procedure"],
        partners: &["MDM hub", "Salesforce CRM", "supplier portal (Ariba)"],
        tasks: &["extend a material to a new plant", "create a business partner with two roles", "mass-change prices", "block a supplier for payment", "request a new cost center"],
        doc_prefix: 70,
        owners: &[11, 0, 5],
    },
];

/// Sites of the demo company.
pub const SITES: &[&str] =
    &["Rotterdam DC", "Lyon plant", "Poznań warehouse", "Antwerp HQ", "Milano sales office", "Bremen plant", "Utrecht shared service centre"];

/// The hypercare team: developers and consultants who take tickets.
pub const CONSULTANTS: &[&str] = &[
    "Anna Keller",
    "Marco Bianchi",
    "Sofie Jansen",
    "Tomasz Nowak",
    "Claire Dubois",
    "Henrik Larsen",
    "Pieter de Vries",
    "Lena Hoffmann",
    "Rafael Ortega",
    "Aisha Rahman",
    "Jonas Becker",
    "Elif Yilmaz",
];

const FIRST_NAMES: [&str; 30] = [
    "Emma", "Lucas", "Julia", "Noah", "Sara", "Daan", "Marie", "Luca", "Eva", "Milan", "Nina", "Bram", "Chloé",
    "Jakub", "Laura", "Finn", "Zofia", "Matteo", "Ines", "Thomas", "Hanna", "Karim", "Olga", "Stefan", "Léa",
    "Piotr", "Fatima", "Giulia", "Sven", "Mila",
];

const LAST_NAMES: [&str; 30] = [
    "Bakker", "Visser", "Martin", "Müller", "Kowalski", "Rossi", "Smit", "Bernard", "Schmidt", "Wiśniewski",
    "Romano", "Meijer", "Petit", "Fischer", "Lewandowska", "Colombo", "Mulder", "Durand", "Weber", "Zieliński",
    "Ricci", "Bos", "Leroy", "Wagner", "Kamińska", "Greco", "Dekker", "Moreau", "Schulz", "Vos",
];

/// Number of business users who report tickets.
pub const REPORTERS: usize = 150;

/// The `k`-th business user (`k < REPORTERS`), unique names. User `k` works
/// in module `k % MODULES.len()` at site `(k / MODULES.len()) % SITES.len()`.
pub fn reporter(k: usize) -> String {
    let a = k % FIRST_NAMES.len();
    let b = (k / FIRST_NAMES.len()) % 5;
    format!("{} {}", FIRST_NAMES[a], LAST_NAMES[(a + 7 * b) % LAST_NAMES.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reporters_are_distinct() {
        let mut names: Vec<String> = (0..REPORTERS).map(reporter).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), REPORTERS);
    }

    #[test]
    fn module_owners_exist() {
        assert!(MODULES.iter().all(|m| m.owners.iter().all(|o| *o < CONSULTANTS.len())));
    }
}

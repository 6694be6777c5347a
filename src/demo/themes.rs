//! Recurring underlying problems of the demo hypercare.
//!
//! Each theme is one root cause that different users report in their own
//! words, so that theme detection has something real to find. A theme is
//! active on a range of working days (an EDI mapping bug right after
//! go-live, bank statement trouble around month-end, ...).

use crate::model::Category;

/// One recurring problem.
pub struct Theme {
    /// Stable identifier, kept in the ticket's raw record (`theme`).
    pub id: &'static str,
    pub category: Category,
    /// Index into `vocab::MODULES`.
    pub module: usize,
    /// Different wordings of the same problem.
    pub titles: &'static [&'static str],
    pub descriptions: &'static [&'static str],
    pub fixes: &'static [&'static str],
    /// Working days (0 = go-live day) on which it is reported, end exclusive.
    pub days: (usize, usize),
    /// Share of the category's tickets on those days, in percent.
    pub share: u32,
    /// Chance that a fix does not hold and the ticket is reopened.
    pub reopen: f64,
}

pub const THEMES: &[Theme] = &[
    Theme {
        id: "edi-orders-stuck",
        category: Category::Integration,
        module: 0,
        titles: &[
            "EDI orders from customers not arriving",
            "Inbound ORDERS IDoc in status 51",
            "Customer orders via EDI stuck in the interface",
            "Sales orders missing - EDI messages in error",
            "EDI: purchase orders of {site} customers not created as sales orders",
        ],
        descriptions: &[
            "Orders sent by our customers through the EDI hub do not become sales orders. The IDocs stay in status 51 'application document not posted'. Message: unit of measure PCE not found.",
            "Customer called because their order of yesterday was not confirmed. In the monitor the inbound ORDERS message is in error: unit of measure conversion PCE to ST missing.",
            "Several EDI orders are stuck. Error says the unit 'PCE' is unknown. We created the orders manually for now.",
            "EDI inbound fails for about {n} orders a day. The message is red in the interface monitor; the ISO unit code is not mapped.",
        ],
        fixes: &[
            "added the ISO unit mapping PCE -> ST and reprocessed all IDocs in status 51",
            "corrected the unit of measure conversion in the EDI partner profile",
        ],
        days: (0, 12),
        share: 55,
        reopen: 0.3,
    },
    Theme {
        id: "invoice-pdf-missing",
        category: Category::MajorBug,
        module: 0,
        titles: &[
            "Invoice PDF not sent to customer",
            "Customer invoices have no PDF attached",
            "Billing output missing - customers did not receive invoices",
            "No e-mail with invoice for {doc}",
            "Invoice print output stays in status 'not processed'",
        ],
        descriptions: &[
            "Invoices are created but the customer does not get the PDF by e-mail. In output management the status is 'not processed'.",
            "Our customers complain that they do not receive invoices since go-live. The billing document exists, the PDF output was never generated.",
            "The invoice output for {doc} is missing. Other invoices of the same day have it. Maybe the e-mail address of the bill-to party is not read.",
            "When billing in the due list, output for some invoices is not created. Customers ask for copies.",
        ],
        fixes: &[
            "fixed the output determination for the bill-to e-mail address and re-sent the missing invoices",
            "activated the missing output channel for customer invoices",
        ],
        days: (0, 15),
        share: 30,
        reopen: 0.25,
    },
    Theme {
        id: "rf-scanner-freeze",
        category: Category::CriticalBug,
        module: 3,
        titles: &[
            "RF scanner freezes during picking",
            "Handheld scanners log out in the middle of a pick",
            "Scanner session lost - picking stopped in {site}",
            "RF gun hangs after scanning the handling unit",
            "Warehouse cannot pick: scanners keep disconnecting",
        ],
        descriptions: &[
            "The RF scanners freeze when we confirm the pick quantity. After 30 seconds the session is gone and the pick must start again.",
            "During the morning wave the handhelds disconnect. The pickers have to log in again and the task is locked by the old session.",
            "Scanning the handling unit label makes the RF screen hang. This happens on all Zebra TC52 devices at {site}.",
            "Picking is stopped: the scanner sessions time out after a few scans and the transfer order stays locked.",
        ],
        fixes: &[
            "raised the RF session timeout and released the locked transfer orders",
            "fixed the RF screen that hung on long handling unit IDs",
        ],
        days: (0, 10),
        share: 45,
        reopen: 0.35,
    },
    Theme {
        id: "month-end-slow",
        category: Category::Performance,
        module: 2,
        titles: &[
            "Trial balance takes forever at month-end",
            "Month-end close reports time out",
            "Very slow financial reports during period close",
            "Cost center report runs more than an hour",
            "Period-end: foreign currency valuation job too slow",
        ],
        descriptions: &[
            "During month-end close the trial balance takes more than 20 minutes and often ends with a timeout.",
            "We cannot finish the close on time: the reports on cost centers run for more than an hour.",
            "Finance reports are very slow since the first days of the close. The controllers are waiting.",
            "The valuation job for open items runs for hours and blocks the other month-end steps.",
        ],
        fixes: &[
            "added an aggregate for the month-end reports and moved the batch jobs out of the close window",
            "applied the performance note for the trial balance and rebuilt the table statistics",
        ],
        days: (0, 5),
        share: 60,
        reopen: 0.2,
    },
    Theme {
        id: "month-end-slow-2",
        category: Category::Performance,
        module: 2,
        titles: &[
            "Trial balance slow again at October close",
            "Month-end close reports time out",
            "Cost center report runs more than an hour",
        ],
        descriptions: &[
            "Same problem as last month: the trial balance takes more than 20 minutes during the close.",
            "The October close reports time out again. Controllers cannot finish on time.",
        ],
        fixes: &["moved the aggregate rebuild before the close and re-ran the reports"],
        days: (24, 28),
        share: 60,
        reopen: 0.2,
    },
    Theme {
        id: "payroll-file-rejected",
        category: Category::Integration,
        module: 4,
        titles: &[
            "Payroll export rejected by ADP",
            "ADP interface file fails validation",
            "Employees missing in the payroll transfer",
            "Payroll file: bank account format rejected",
        ],
        descriptions: &[
            "ADP rejected the payroll file: IBAN field has the wrong length for some employees.",
            "The export to ADP payroll ends with validation errors. About {n} employees are missing in the transfer.",
            "Payroll provider says our file contains bank accounts with spaces, which they reject.",
        ],
        fixes: &["fixed the IBAN formatting in the payroll export and re-sent the file"],
        days: (10, 20),
        share: 50,
        reopen: 0.3,
    },
    Theme {
        id: "customer-payment-terms",
        category: Category::DataIssue,
        module: 6,
        titles: &[
            "Payment terms missing on migrated customers",
            "Migrated customers have no payment terms",
            "Sales orders get payment term 'due immediately'",
            "Customer master: terms of payment empty after migration",
        ],
        descriptions: &[
            "Many customers from the migration have no payment terms, so orders default to 'due immediately'.",
            "Our customers receive invoices due immediately instead of 30 days. The payment terms field is empty in the business partner.",
            "The terms of payment were not migrated for the sales area of {site}.",
        ],
        fixes: &["reloaded the payment terms for all sales areas from the cutover file"],
        days: (0, 15),
        share: 45,
        reopen: 0.15,
    },
    Theme {
        id: "three-way-match-block",
        category: Category::MajorBug,
        module: 1,
        titles: &[
            "Supplier invoices blocked for payment",
            "Three-way match blocks every invoice",
            "Invoices blocked: price variance although price is correct",
            "Payment block on supplier invoices since go-live",
        ],
        descriptions: &[
            "All supplier invoices with a goods receipt get a payment block for price variance, even when the price is identical.",
            "The three-way match blocks invoices; tolerance limits seem to be zero.",
            "Suppliers complain about late payments because invoices are blocked. The variance shown is 0.00.",
        ],
        fixes: &["set the tolerance limits for the company code and released the blocked invoices"],
        days: (2, 18),
        share: 35,
        reopen: 0.2,
    },
    Theme {
        id: "requisition-approval-training",
        category: Category::Training,
        module: 1,
        titles: &[
            "How to release purchase requisitions?",
            "Where do I approve requisitions in the new system?",
            "Approvals: My Inbox shows nothing",
            "Managers do not know how to approve purchase requests",
        ],
        descriptions: &[
            "As a manager I do not know where to approve purchase requisitions. Nothing appears in My Inbox.",
            "Requisitions wait for release for days because the approvers do not know the new app.",
            "Can we get a short training on approving purchase requests? The old e-mail approval is gone.",
        ],
        fixes: &["ran an approval session for all managers and published a quick reference card"],
        days: (0, 20),
        share: 40,
        reopen: 0.05,
    },
    Theme {
        id: "zebra-label-blank",
        category: Category::MajorBug,
        module: 3,
        titles: &[
            "Shipping labels print blank",
            "Zebra printer at the dock prints empty labels",
            "Carrier labels missing the barcode",
            "Label printing: barcode not readable by DHL",
        ],
        descriptions: &[
            "The shipping labels come out of the Zebra printers blank. Only the frame is printed.",
            "Labels are printed without the barcode; DHL cannot scan our parcels.",
            "At the dock of {site} labels are empty since this morning. We write them by hand.",
        ],
        fixes: &["corrected the ZPL label template and the printer's code page"],
        days: (0, 12),
        share: 30,
        reopen: 0.3,
    },
    Theme {
        id: "vat-cross-border",
        category: Category::CriticalBug,
        module: 2,
        titles: &[
            "Wrong VAT on intra-EU deliveries",
            "Tax code wrong for cross-border invoices",
            "Invoices to Belgian customers charged Dutch VAT",
            "Reverse charge not applied on EU invoices",
        ],
        descriptions: &[
            "Intra-community deliveries get 21% VAT instead of reverse charge. Invoices to customers abroad are wrong.",
            "The tax determination uses the plant country instead of the ship-to country for cross-border invoices.",
            "Customers in Belgium received invoices with Dutch VAT. We must credit and re-invoice.",
        ],
        fixes: &["corrected the tax determination for intra-EU deliveries and re-issued the invoices"],
        days: (1, 14),
        share: 40,
        reopen: 0.25,
    },
    Theme {
        id: "bank-statement-import",
        category: Category::Integration,
        module: 2,
        titles: &[
            "Bank statement import fails",
            "CAMT.053 file not imported",
            "Electronic bank statement missing for yesterday",
            "Bank statements not posted automatically",
        ],
        descriptions: &[
            "The CAMT.053 bank statement of yesterday was not imported; the job log shows a parsing error.",
            "Electronic bank statements arrive but are not posted. Cash application is behind by two days.",
            "Import of the bank statement fails with an error about the booking date format.",
        ],
        fixes: &["fixed the CAMT.053 date parsing and re-imported the statements"],
        days: (1, 8),
        share: 40,
        reopen: 0.2,
    },
    Theme {
        id: "login-session-timeout",
        category: Category::Usability,
        module: 0,
        titles: &[
            "Logged out after a few minutes",
            "Session expires while entering orders",
            "Single sign-on asks for password all the time",
            "We lose our work because of the session timeout",
        ],
        descriptions: &[
            "The system logs us out after about 10 minutes without warning. The data we entered is lost.",
            "Single sign-on does not work at {site}: we have to type the password several times a day.",
            "While entering a long sales order the session expired and everything was lost.",
        ],
        fixes: &["raised the session timeout to 60 minutes and fixed the SSO certificate for the site"],
        days: (0, 10),
        share: 35,
        reopen: 0.2,
    },
    Theme {
        id: "stock-mismatch",
        category: Category::DataIssue,
        module: 3,
        titles: &[
            "Stock quantities wrong after cutover",
            "Inventory does not match physical stock",
            "System shows stock in bins that are empty",
            "Negative stock for migrated batches",
        ],
        descriptions: &[
            "After cutover the system shows stock in bins that are empty on the shelf. Picks fail.",
            "Inventory in the system does not match the physical count for many materials at {site}.",
            "Migrated batches show negative stock; the batch numbers were loaded twice.",
        ],
        fixes: &["posted inventory differences after a recount and removed the duplicate batch load"],
        days: (0, 15),
        share: 40,
        reopen: 0.2,
    },
    Theme {
        id: "goods-receipt-batch-doc",
        category: Category::Documentation,
        module: 1,
        titles: &[
            "No work instruction for goods receipt with batch",
            "How to document batch numbers at goods receipt?",
            "Work instruction GR with batch and shelf life missing",
        ],
        descriptions: &[
            "There is no work instruction for posting a goods receipt with batch and shelf-life date.",
            "The receiving team needs a procedure for batch-managed materials; the training guide does not cover it.",
        ],
        fixes: &["published the work instruction for goods receipt with batch"],
        days: (0, 20),
        share: 35,
        reopen: 0.05,
    },
    Theme {
        id: "excel-export-open-items",
        category: Category::Enhancement,
        module: 2,
        titles: &[
            "Export open items to Excel",
            "Need Excel download of the open items list",
            "Request: download customer open items",
            "Add Excel export to the open items app",
        ],
        descriptions: &[
            "We need to download the open items to Excel for the weekly credit meeting.",
            "In the old system we exported the open items list; please add an Excel export.",
            "Credit controllers copy the open items by hand every week. An export would save hours.",
        ],
        fixes: &["enabled the spreadsheet export in the open items app"],
        days: (3, 30),
        share: 30,
        reopen: 0.05,
    },
];

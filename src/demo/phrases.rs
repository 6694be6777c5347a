//! Phrase templates per feedback category. Slots in braces are filled by
//! `compose`: {obj} {objs} {a_obj} {app} {field} {partner} {task} {site} {doc} {n} {secs}
//! {code} {colleague} {module}.

use crate::model::Category;

/// The phrases of one feedback category.
pub struct CategoryText {
    pub titles: &'static [&'static str],
    /// First sentence of a description.
    pub openings: &'static [&'static str],
    /// Details: what happens, steps, expected versus actual.
    pub details: &'static [&'static str],
    /// What the consultant did to resolve it (comment on resolve).
    pub fixes: &'static [&'static str],
}

const CRITICAL: CategoryText = CategoryText {
    titles: &[
        "Cannot post {objs} in {app} - business stopped",
        "{app} dumps when saving {obj} {doc}",
        "All {objs} blocked at {site} since this morning",
        "System error when releasing {objs} - nobody can work",
        "{obj} posting creates wrong accounting entries",
        "URGENT: {obj} cannot be created, trucks waiting at {site}",
        "Production down: {app} not reachable for {site}",
        "Short dump in {app}, whole team at {site} blocked",
    ],
    openings: &[
        "Since {time} nobody at {site} can save {a_obj}.",
        "We are completely blocked: {app} ends with a short dump for every {obj}.",
        "Critical: the {obj} for our biggest customer cannot be processed.",
        "This stops the business at {site}, {n} people are waiting.",
        "After this morning's transport, {app} crashes as soon as we save.",
    ],
    details: &[
        "Steps: open {app}, enter the {obj} {doc}, press Save. Result: runtime error {code}. Expected: document saved as before go-live.",
        "The error appears for every user and every {obj}, not only for {doc}. We tried logging off and on again.",
        "Message: 'Internal error {code} - contact your system administrator'. No document number is created.",
        "The {field} is empty in the log, which may be the cause. We need a workaround today.",
    ],
    fixes: &[
        "hotfix for the save routine of {objs}; the missing {field} check is back",
        "corrected the posting logic, wrong accounts were derived from {field}",
        "restored the authorisation role that the transport had overwritten",
        "removed a wrong enhancement that caused the short dump",
    ],
};

const MAJOR: CategoryText = CategoryText {
    titles: &[
        "{field} not copied from {obj} to follow-on document",
        "{obj} saved with wrong {field}",
        "Error when changing {field} on {obj} {doc}",
        "{app} shows wrong totals for {objs}",
        "Approval workflow does not start for {objs} above the limit",
        "{obj} status stays 'in process' after posting",
        "No output generated for {obj} {doc}",
        "Cannot reverse {obj} {doc}",
        "{app}: {field} changes back after saving",
    ],
    openings: &[
        "When I create {a_obj} in {app}, the {field} is wrong.",
        "Since go-live we see that {objs} get the wrong {field}.",
        "Some {objs} cannot be changed any more after saving.",
        "We found a problem in {app} that affects about {n} documents a day.",
        "{colleague} and I both get the same error on {objs}.",
    ],
    details: &[
        "Example: {doc}. Expected {field} from the master data, actual value is empty.",
        "Steps: create the {obj}, save, open it again: the {field} is different. The old system did this automatically.",
        "Error message {code} appears. We can work around it by entering the value manually, but that takes time.",
        "It only happens for {objs} created at {site}; the other sites look fine.",
    ],
    fixes: &[
        "corrected the copy control so {field} is taken over from the {obj}",
        "fixed the determination of {field} in the {obj} configuration",
        "adjusted the workflow start conditions",
        "corrected the output condition records for {objs}",
    ],
};

const PERFORMANCE: CategoryText = CategoryText {
    titles: &[
        "{app} takes more than {secs} seconds to open",
        "Very slow when saving {a_obj}",
        "Timeout in {app} when selecting more than one month",
        "Report on {objs} runs for hours",
        "System very slow at {site} between 9 and 11",
        "Search help for {field} hangs",
        "Night batch job for {objs} does not finish in time",
    ],
    openings: &[
        "{app} is extremely slow, it takes about {secs} seconds for every step.",
        "Saving {a_obj} takes minutes instead of seconds.",
        "Since this week the system is slow for everybody at {site}.",
        "The report we use every morning now times out.",
    ],
    details: &[
        "We measured {secs} seconds for opening {obj} {doc}. Before go-live it was instant.",
        "With more than {n} lines the screen freezes and sometimes ends with a timeout.",
        "It is slow in the morning peak, better after 16:00. The warehouse has to wait.",
        "Selection: all {objs} of the current month for {site}. Result: time-out error {code}.",
    ],
    fixes: &[
        "added a database index for the {obj} selection; runtime down to 2 seconds",
        "rescheduled the batch jobs that ran in the morning peak",
        "limited the default selection to the current week",
        "applied the vendor performance note and rebuilt the statistics",
    ],
};

const USABILITY: CategoryText = CategoryText {
    titles: &[
        "Too many clicks to create {a_obj}",
        "{field} should be defaulted in {app}",
        "Cannot find {field} on the new {app} screen",
        "Error message in {app} is not understandable",
        "Column layout in {app} resets every time",
        "Date format in {app} is confusing",
        "Tab order in {app} jumps around",
    ],
    openings: &[
        "The new {app} is hard to use for our daily work.",
        "Every {obj} needs three screens now; in the old system it was one.",
        "Our team at {site} keeps looking for the {field}.",
        "Users find the message in {app} confusing and call the hotline.",
    ],
    details: &[
        "Each time we open {app} we have to set the layout again, which costs time.",
        "Could the {field} be filled automatically? It is always the same for {site}.",
        "The message says '{code}' but does not say what to do.",
        "The field order does not follow the paper form, so people make mistakes.",
    ],
    fixes: &[
        "saved a default layout variant for all users",
        "defaulted {field} by user parameter",
        "replaced the message text with one that says what to do",
        "rearranged the screen so the {field} is on the first tab",
    ],
};

const INTEGRATION: CategoryText = CategoryText {
    titles: &[
        "{obj} not transferred to {partner}",
        "Interface to {partner} fails with error {code}",
        "Duplicate {objs} received from {partner}",
        "{partner} message stuck in error status",
        "No acknowledgement from {partner} for {obj} {doc}",
        "Mapping of {field} wrong in the {partner} interface",
    ],
    openings: &[
        "The {objs} are not arriving in {partner}.",
        "Since go-live the interface with {partner} fails several times a day.",
        "{partner} reports that they received {obj} {doc} twice.",
        "We see messages in error in the interface monitor for {partner}.",
    ],
    details: &[
        "Error {code} in the monitor. The message for {doc} stays in the queue and is not reprocessed.",
        "About {n} {objs} are affected today. The {field} seems to be mapped to the wrong segment.",
        "When the message is restarted manually it goes through, so it may be a timing problem.",
        "{colleague} checked the middleware: the payload is sent but the answer is an HTTP 400.",
    ],
    fixes: &[
        "corrected the field mapping for {field} in the middleware",
        "reprocessed the messages in error and fixed the retry setting",
        "renewed the expired certificate of the {partner} endpoint",
        "added the missing partner profile for {site}",
    ],
};

const MINOR: CategoryText = CategoryText {
    titles: &[
        "Typo in {app} label for {field}",
        "{field} shows trailing zeros on the {obj} printout",
        "Wrong icon on the {app} tile",
        "Sort order of {obj} list not kept",
        "Tooltip for {field} in {app} is empty",
        "Logo on the {obj} form is blurred",
    ],
    openings: &[
        "Small thing, but users notice it.",
        "Not urgent: in {app} the {field} looks wrong.",
        "Cosmetic issue on the {obj} form.",
        "A small error we found during the first week.",
    ],
    details: &[
        "The label says '{field}' with a spelling mistake in the German translation.",
        "On the printout of {doc} the value is shown with six decimals.",
        "It does not block us, but it would look more professional if fixed.",
        "Seen by several users at {site}.",
    ],
    fixes: &[
        "corrected the translation of the label",
        "changed the form to print the value without trailing zeros",
        "uploaded the logo in the right resolution",
        "kept the user's sort order in the list settings",
    ],
};

const DOCUMENTATION: CategoryText = CategoryText {
    titles: &[
        "No work instruction for how to {task}",
        "User guide for {app} does not match the system",
        "Quick reference card missing: {task}",
        "Where is the process description to {task}?",
        "Documentation of {field} values missing",
    ],
    openings: &[
        "We cannot find any documentation on how to {task}.",
        "The user guide on the intranet still shows the screens of the test system.",
        "Our key user asked for a written procedure.",
        "The training manual skips the part about {field}.",
    ],
    details: &[
        "The screenshots in chapter 4 show fields that are not in {app} in production.",
        "New colleagues at {site} need something they can follow step by step.",
        "Please add what each value of {field} means and when to use it.",
        "{colleague} wrote notes, but they are not official.",
    ],
    fixes: &[
        "published work instruction WI-{n} on the hypercare SharePoint",
        "updated the user guide for {app} with production screenshots",
        "added a quick reference card to the training portal",
        "documented the {field} values in the process description",
    ],
};

const TRAINING: CategoryText = CategoryText {
    titles: &[
        "How do I {task}?",
        "Need training to {task} for the {site} team",
        "New colleagues at {site} do not know how to {task}",
        "Question: how to {task} in {app}",
        "Key users ask for a refresher: {task}",
    ],
    openings: &[
        "I attended the training but I do not remember how to {task}.",
        "Our team needs help to {task}; we are doing it wrong.",
        "We were not in the training sessions before go-live.",
        "Can someone show us how to {task}?",
    ],
    details: &[
        "We tried in {app} but got stuck after the first screen.",
        "Three people at {site} asked me the same question today.",
        "A short session of 30 minutes would be enough.",
        "We found a workaround but are not sure it is correct.",
    ],
    fixes: &[
        "gave a 30-minute session to the {site} team",
        "walked the user through the steps in a call; see work instruction WI-{n}",
        "added the topic to the daily hypercare drop-in session",
        "explained the process to the key user, who will train the team",
    ],
};

const ENHANCEMENT: CategoryText = CategoryText {
    titles: &[
        "Add {field} to the {app} list",
        "Request: export the {obj} list to Excel",
        "Mass change for {field} on {objs}",
        "Nice to have: default {field} per site",
        "New report: open {objs} by {field}",
        "Allow copying {a_obj} with all items",
    ],
    openings: &[
        "It would help us a lot if {app} could show the {field}.",
        "Request from the business at {site}.",
        "In the old system we had this option, please add it.",
        "Idea to save time in daily work.",
    ],
    details: &[
        "Today we export the list and add the {field} manually in Excel, about {n} lines a day.",
        "This is not a bug, but the process would be much faster.",
        "{colleague} supports this request for all sites.",
        "Please evaluate for the next release.",
    ],
    fixes: &[
        "added {field} as an optional column in the list",
        "delivered the export button in the list toolbar",
        "created the report as a saved query",
        "configured the default per site",
    ],
};

const DATA: CategoryText = CategoryText {
    titles: &[
        "{field} missing on migrated {objs}",
        "Wrong {field} for {obj} {doc} after cutover",
        "Duplicate {obj} records from the migration",
        "Migrated open {objs} have the wrong status",
        "{field} of {n} {objs} incorrect after data load",
    ],
    openings: &[
        "After the data migration the {field} is empty for many {objs}.",
        "The migrated {obj} {doc} has a different {field} than in the legacy system.",
        "We found duplicates among the migrated {objs}.",
        "The open items we took over at cutover do not match the legacy balance.",
    ],
    details: &[
        "About {n} records are affected, see the attached list from {site}.",
        "In the legacy system the {field} was filled; the load file probably had it in another column.",
        "Because of this the follow-on processes fail with error {code}.",
        "{colleague} checked a sample of 20 records: 14 are wrong.",
    ],
    fixes: &[
        "corrected {n} records with a mass update from the legacy extract",
        "merged the duplicates and blocked the obsolete records",
        "reloaded the {field} from the cutover file",
        "fixed the migration mapping and corrected the open items",
    ],
};

/// The phrases of `c`.
pub fn category_text(c: Category) -> &'static CategoryText {
    match c {
        Category::CriticalBug => &CRITICAL,
        Category::MajorBug => &MAJOR,
        Category::Performance => &PERFORMANCE,
        Category::Usability => &USABILITY,
        Category::Integration => &INTEGRATION,
        Category::MinorBug => &MINOR,
        Category::Documentation => &DOCUMENTATION,
        Category::Training => &TRAINING,
        Category::Enhancement => &ENHANCEMENT,
        Category::DataIssue => &DATA,
    }
}

/// Sentences on business impact of bugs that hurt (critical, major,
/// performance, integration, data); empty entries leave it out.
pub const IMPACTS_SEVERE: &[&str] = &[
    "Impact: about {n} documents a day.",
    "Impact: the team at {site} works with a manual workaround.",
    "Impact: customers are waiting.",
    "Impact: month-end close is at risk.",
    "Impact: shipments from {site} are delayed.",
    "",
];

/// Sentences on business impact of everything else.
pub const IMPACTS_MILD: &[&str] =
    &["Impact: low, but annoying.", "Impact: a few minutes lost per {obj}.", "Impact: new colleagues get it wrong.", "", "", ""];

/// Times of day in openings.
pub const TIMES: &[&str] = &["8:30", "this morning", "the last transport", "yesterday afternoon", "the restart at noon"];

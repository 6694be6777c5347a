//! One end-to-end run: a private Xvfb, `tauri-driver` on free ports with a
//! fresh data directory, and a WebDriver session on the real app binary.
//! Every WebDriver call is bounded by a timeout; teardown (in `Drop`) stops
//! exactly the processes of this run, also when a test panics.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use super::procs::{self, Xvfb, RUN_MARKER};

/// How long one WebDriver command may take before the test fails.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a `wait_*` helper polls by default.
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long creating a session (which launches the app) may take.
const SESSION_TIMEOUT: Duration = Duration::from_secs(90);

/// The CSS selector of a `data-testid`.
pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// Run `fut`, failing with a message naming `what` when it exceeds `limit`.
pub async fn bounded<T, E>(what: &str, limit: Duration, fut: impl Future<Output = Result<T, E>>) -> Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    match tokio::time::timeout(limit, fut).await {
        Ok(result) => result.with_context(|| format!("WebDriver: {what}")),
        Err(_) => bail!("WebDriver: {what} took longer than {limit:?}"),
    }
}

/// The app under test, driven through WebDriver.
pub struct App {
    name: String,
    binary: PathBuf,
    client: Option<Client>,
    driver: Option<Child>,
    xvfb: Option<Xvfb>,
    work: PathBuf,
    port: u16,
    keep_work: bool,
}

impl App {
    /// Launch the debug app binary on a fresh, empty data directory.
    pub async fn start(name: &str) -> Result<Self> {
        Self::start_with(name, &[]).await
    }

    /// Like [`App::start`] with extra environment variables for the app.
    pub async fn start_with(name: &str, env: &[(&str, &str)]) -> Result<Self> {
        Self::launch(name, &app_binary(), env).await
    }

    /// Launch `binary` (any Tauri app, e.g. a release build) on a fresh data
    /// directory with extra environment variables.
    pub async fn launch(name: &str, binary: &Path, env: &[(&str, &str)]) -> Result<Self> {
        let mut app = Self::prepare(name, binary, env)?;
        app.connect().await?;
        Ok(app)
    }

    /// Start Xvfb and the driver for `binary` without launching it yet
    /// ([`App::connect`] launches it).
    pub fn prepare(name: &str, binary: &Path, env: &[(&str, &str)]) -> Result<Self> {
        let binary = std::path::absolute(binary).with_context(|| format!("locating {}", binary.display()))?;
        if !binary.is_file() {
            bail!("{} does not exist: build it first", binary.display());
        }
        let work = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("e2e")
            .join(format!("{name}-{}-{}", std::process::id(), unix_millis()));
        let _ = std::fs::remove_dir_all(&work);
        for sub in ["data", "xdg/data", "xdg/config", "xdg/cache", "artifacts"] {
            std::fs::create_dir_all(work.join(sub)).with_context(|| format!("creating {}", work.display()))?;
        }
        let mut app =
            Self { name: name.into(), binary, client: None, driver: None, xvfb: None, work, port: 0, keep_work: false };
        app.spawn_driver(env)?;
        Ok(app)
    }

    fn spawn_driver(&mut self, env: &[(&str, &str)]) -> Result<()> {
        let driver_bin = tauri_driver()?;
        let xvfb = Xvfb::start(&self.work.join("xvfb.log"))?;
        self.port = procs::free_port()?;
        let native_port = procs::free_port()?;
        let log = std::fs::File::create(self.work.join("driver.log"))?;
        let mut cmd = Command::new(&driver_bin);
        cmd.args(["--port", &self.port.to_string(), "--native-port", &native_port.to_string()])
            .env("DISPLAY", xvfb.display())
            .env(RUN_MARKER, self.marker())
            .env("HYPERCARE_DATA_DIR", self.data_dir())
            // The demo of a first run on the fixed today, not the real one:
            // the tests name its dates (e.g. a training marker on 2026-10-19).
            .env(hypercare::demo::DEMO_TODAY_ENV, hypercare::demo::FIXED_TODAY.to_string())
            .env("XDG_DATA_HOME", self.work.join("xdg/data"))
            .env("XDG_CONFIG_HOME", self.work.join("xdg/config"))
            .env("XDG_CACHE_HOME", self.work.join("xdg/cache"))
            .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().with_context(|| format!("starting {}", driver_bin.display()))?;
        let ready = procs::wait_for_port(&mut child, self.port, Duration::from_secs(20));
        self.driver = Some(child);
        self.xvfb = Some(xvfb);
        ready.with_context(|| format!("tauri-driver did not start; see {}", self.work.join("driver.log").display()))
    }

    /// Create a WebDriver session, which launches the app.
    pub async fn connect(&mut self) -> Result<()> {
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), json!({ "application": self.binary }));
        let url = format!("http://127.0.0.1:{}", self.port);
        let connect = || async {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await
        };
        // Until the session exists, a failure keeps the run's logs.
        self.keep_work = true;
        let first = tokio::time::timeout(SESSION_TIMEOUT, connect()).await;
        let result = match first {
            // The driver can refuse the very first session while its
            // WebKitWebDriver is still starting: one more try.
            Ok(Err(e)) => {
                eprintln!("e2e {}: the first session request failed ({e}); trying again", self.name);
                tokio::time::sleep(Duration::from_secs(1)).await;
                tokio::time::timeout(SESSION_TIMEOUT, connect()).await
            }
            other => other,
        };
        let client = match result {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => bail!("creating the WebDriver session failed: {e}; see {}", self.work.display()),
            Err(_) => bail!("creating the WebDriver session took over {SESSION_TIMEOUT:?}; see {}", self.work.display()),
        };
        self.client = Some(client);
        self.keep_work = false;
        Ok(())
    }

    /// Close the window (ending the app) and launch it again on the same data
    /// directory and environment, e.g. to check what a restart shows.
    pub async fn relaunch(&mut self) -> Result<()> {
        if let Some(client) = self.client.take() {
            bounded("closing the session", CALL_TIMEOUT, client.close()).await?;
        }
        self.wait_app_exited(Duration::from_secs(10));
        self.connect().await
    }

    /// Close the window as a window manager's close button does: an X11
    /// WM_DELETE_WINDOW message (`tests/support/x11_close.py`; Xvfb has no
    /// window manager to click), which Tauri turns into CloseRequested.
    /// Waits for the app to exit; `relaunch` then starts it again.
    pub async fn close_window_as_user(&mut self) -> Result<()> {
        let display = self.xvfb.as_ref().map(|x| x.display()).context("no Xvfb")?;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/support/x11_close.py");
        let status = Command::new("python3")
            .arg(&script)
            .arg("Hypercare Desk")
            .env("DISPLAY", display)
            .status()
            .with_context(|| format!("running {}", script.display()))?;
        ensure!(status.success(), "no window titled \"Hypercare Desk\" got the close request ({status})");
        ensure!(self.wait_app_exited(Duration::from_secs(10)), "the app did not exit within 10 s of the close request");
        if let Some(client) = self.client.take() {
            // The session's window is gone with the app: ending it may fail.
            let _ = bounded("ending the session", CALL_TIMEOUT, client.close()).await;
        }
        Ok(())
    }

    /// Whether the app exited within `timeout`.
    fn wait_app_exited(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let app_alive = procs::marked_processes(&self.marker())
                .into_iter()
                .any(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == self.binary));
            if !app_alive {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// Process ids of the app and of its descendants (the WebKit processes).
    pub fn app_processes(&self) -> Vec<i32> {
        let marked = procs::marked_processes(&self.marker());
        let Some(root) = marked
            .iter()
            .copied()
            .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == self.binary))
        else {
            return Vec::new();
        };
        let mut tree = vec![root];
        let mut i = 0;
        while i < tree.len() {
            let parent = tree[i];
            tree.extend(marked.iter().copied().filter(|&pid| procs::parent_of(pid) == Some(parent)));
            i += 1;
        }
        tree
    }

    /// The WebDriver client (for calls the helpers do not cover).
    pub fn client(&self) -> Result<&Client> {
        self.client.as_ref().ok_or_else(|| anyhow!("no WebDriver session"))
    }

    /// The app's data directory of this run (`HYPERCARE_DATA_DIR`).
    pub fn data_dir(&self) -> PathBuf {
        self.work.join("data")
    }

    /// Where this run keeps logs and failure artifacts.
    pub fn work_dir(&self) -> &Path {
        &self.work
    }

    fn marker(&self) -> String {
        self.work.display().to_string()
    }

    /// End the test: on `Err`, save a screenshot, the page source and the logs
    /// beside the run and fail with the error; then tear everything down.
    pub async fn finish(mut self, outcome: Result<()>) {
        if let Err(err) = &outcome {
            self.keep_work = true;
            let _ = self.save_artifacts("failure").await;
            eprintln!("e2e {}: failed; screenshot, page source and logs in {}", self.name, self.work.display());
            eprintln!("{err:?}");
        }
        if let Some(client) = self.client.take() {
            let _ = bounded("closing the session", Duration::from_secs(10), client.close()).await;
        }
        drop(self);
        if let Err(err) = outcome {
            panic!("{err:?}");
        }
    }

    async fn save_artifacts(&self, stem: &str) -> Result<()> {
        let dir = self.work.join("artifacts");
        let source = bounded("reading the page source", CALL_TIMEOUT, self.client()?.source()).await?;
        std::fs::write(dir.join(format!("{stem}.html")), source)?;
        self.screenshot(&dir.join(format!("{stem}.png"))).await
    }

    // ---- helpers -------------------------------------------------------

    /// Wait until an element matching `css` exists and return it.
    pub async fn wait_css(&self, css: &str, timeout: Duration) -> Result<Element> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = bounded(&format!("finding {css}"), CALL_TIMEOUT, self.client()?.find_all(Locator::Css(css))).await?;
            if let Some(el) = found.into_iter().next() {
                return Ok(el);
            }
            if Instant::now() >= deadline {
                bail!("no element {css} appeared within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Wait until the element with `data-testid=id` exists and return it.
    pub async fn wait_testid(&self, id: &str) -> Result<Element> {
        self.wait_css(&testid(id), WAIT_TIMEOUT).await
    }

    /// Wait until no element matches `css`.
    pub async fn wait_gone(&self, css: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        while self.count(css).await? > 0 {
            if Instant::now() >= deadline {
                bail!("{css} was still there after {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Wait until `probe` (a JS expression's truthiness, polled) holds.
    pub async fn wait_until(&self, what: &str, timeout: Duration, js_expr: &str) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let script = format!("return !!({js_expr});");
        loop {
            if self.exec(&script, vec![]).await?.as_bool() == Some(true) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!("{what}: not true within {timeout:?} ({js_expr})");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Wait until the text of the element with testid `id` contains `needle`;
    /// returns the whole text.
    pub async fn wait_text(&self, id: &str, needle: &str, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.texts(&testid(id)).await.ok().and_then(|t| t.into_iter().next()).unwrap_or_default();
            if text.contains(needle) {
                return Ok(text);
            }
            if Instant::now() >= deadline {
                bail!("[data-testid={id}] did not show {needle:?} within {timeout:?}; it shows {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// The visible text of the element with testid `id` (waits for it).
    pub async fn text(&self, id: &str) -> Result<String> {
        let el = self.wait_testid(id).await?;
        bounded(&format!("reading the text of {id}"), CALL_TIMEOUT, el.text()).await
    }

    /// Rendered texts (`innerText`) of every element matching `css`, in
    /// document order, read in one script (no stale elements between calls).
    pub async fn texts(&self, css: &str) -> Result<Vec<String>> {
        let script = "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText);";
        let value = self.exec(script, vec![json!(css)]).await?;
        serde_json::from_value(value).with_context(|| format!("reading the texts of {css}"))
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> Result<usize> {
        let value = self.exec("return document.querySelectorAll(arguments[0]).length;", vec![json!(css)]).await?;
        value.as_u64().map(|n| n as usize).ok_or_else(|| anyhow!("counting {css}: got {value}"))
    }

    /// Click the first element matching `css` (waits for it).
    pub async fn click_css(&self, css: &str) -> Result<()> {
        let el = self.wait_css(css, WAIT_TIMEOUT).await?;
        bounded(&format!("clicking {css}"), CALL_TIMEOUT, el.click()).await
    }

    /// Click the element with testid `id` (waits for it).
    pub async fn click(&self, id: &str) -> Result<()> {
        let el = self.wait_testid(id).await?;
        bounded(&format!("clicking {id}"), CALL_TIMEOUT, el.click()).await
    }

    /// Replace the value of the input with testid `id` by `text`.
    pub async fn type_into(&self, id: &str, text: &str) -> Result<()> {
        let el = self.wait_testid(id).await?;
        // WebDriver's clear does not fire `input`, which frameworks bind to:
        // empty the field the way a user's delete would, then type for real.
        let clear = "arguments[0].value = ''; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));";
        let arg = serde_json::to_value(&el)?;
        self.exec(clear, vec![arg]).await?;
        if text.is_empty() {
            return Ok(());
        }
        bounded(&format!("typing into {id}"), CALL_TIMEOUT, el.send_keys(text)).await
    }

    /// Choose `value` in the `<select>` or date input with testid `id` as a
    /// user's pick would (the value, then `input` and `change`). Fails when
    /// the control does not take it (no such option, not a valid date).
    pub async fn set_value(&self, id: &str, value: &str) -> Result<()> {
        let el = self.wait_testid(id).await?;
        let script = "const e = arguments[0]; e.value = arguments[1];
                      e.dispatchEvent(new Event('input', { bubbles: true }));
                      e.dispatchEvent(new Event('change', { bubbles: true }));
                      return e.value;";
        let now = self.exec(script, vec![serde_json::to_value(&el)?, json!(value)]).await?;
        if now != json!(value) {
            bail!("[data-testid={id}] did not take the value {value:?}; it holds {now}");
        }
        Ok(())
    }

    /// The current `value` of the form control with testid `id`.
    pub async fn value(&self, id: &str) -> Result<String> {
        let el = self.wait_testid(id).await?;
        let v = self.exec("return arguments[0].value;", vec![serde_json::to_value(&el)?]).await?;
        v.as_str().map(str::to_string).ok_or_else(|| anyhow!("[data-testid={id}] has no value: {v}"))
    }

    /// Send keys (e.g. `"/"` or `fantoccini::key::Key::Enter`) to whatever has focus.
    pub async fn press(&self, keys: &str) -> Result<()> {
        let active = bounded("finding the focused element", CALL_TIMEOUT, self.client()?.active_element()).await?;
        bounded("sending keys", CALL_TIMEOUT, active.send_keys(keys)).await
    }

    /// Run a JS function body in the page and return its value.
    pub async fn exec(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        bounded("executing script", CALL_TIMEOUT, self.client()?.execute(script, args)).await
    }

    /// The testid of the element that has the focus ("" when none has one).
    pub async fn focused_testid(&self) -> Result<String> {
        let v = self.exec("return (document.activeElement && document.activeElement.dataset.testid) || '';", vec![]).await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Save a PNG screenshot of the window to `path`.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let png = bounded("taking a screenshot", Duration::from_secs(60), self.client()?.screenshot()).await?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // The session ends with the driver; the client cannot be awaited here.
        self.client.take();
        if let Some(mut driver) = self.driver.take() {
            procs::terminate(&mut driver, Duration::from_secs(5));
        }
        let leftovers = procs::kill_marked(&self.marker(), Duration::from_secs(3));
        if leftovers > 0 {
            eprintln!("e2e {}: stopped {leftovers} leftover process(es)", self.name);
        }
        self.xvfb.take();
        if std::thread::panicking() {
            self.keep_work = true;
            eprintln!("e2e {}: logs kept in {}", self.name, self.work.display());
        }
        if !self.keep_work && std::env::var_os("HYPERCARE_E2E_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.work);
        }
    }
}

/// The absolute path of the app binary Cargo built for this test.
pub fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hypercare-desk"))
}

/// The repository root (the workspace holding `src-tauri`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `tauri-driver`: `$TAURI_DRIVER`, else `.tools/bin/tauri-driver`, else
/// installed there by `scripts/tauri-driver.sh`.
fn tauri_driver() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return Ok(PathBuf::from(path));
    }
    let local = repo_root().join(".tools/bin/tauri-driver");
    if local.exists() {
        return Ok(local);
    }
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/tauri-driver.sh"))
        .stderr(Stdio::inherit())
        .output()
        .context("running scripts/tauri-driver.sh")?;
    if !out.status.success() {
        bail!("scripts/tauri-driver.sh failed; install tauri-driver or set TAURI_DRIVER");
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Milliseconds since the epoch (unique names for runs and projects).
pub fn unix_millis() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0)
}

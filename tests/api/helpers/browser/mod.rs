//! `Browser`: a real headless Chromium driven over WebDriver, for tests of what a
//! person sees: pages opened at phone and desktop sizes, forms filled and sent,
//! screenshots checked to be real renderings, and the browser console read for
//! Content-Security-Policy violations and script errors.
//!
//! Cost, on a 2-core CI machine: one chromedriver per test process ([`driver`], started
//! on first use and stopped with the process), one Chromium session per test (its own
//! fresh profile directory; [`Browser::set_viewport`] switches sizes inside it, so a test
//! need not start a second browser for the second width). A session ends when its
//! `Browser` is dropped, passed or failed.
//!
//! Waiting is polling with a deadline ([`WAIT`]), never a fixed sleep.
//!
//! Chromium and chromedriver come from Debian's `chromium` and `chromium-driver`
//! (`ROOST_TEST_CHROMIUM` / `ROOST_TEST_CHROMEDRIVER` to use others); `scripts/test`
//! installs them. Without them every browser test fails, saying so.

mod commands;
mod console;
mod driver;
mod screenshot;

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::cookies::Cookie;
use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::sync::Mutex;

pub use console::ConsoleEntry;
pub use screenshot::check_rendering;

/// How long a wait for an element or a text may take before the test fails. Generous:
/// Chromium shares two cores with the server and other tests.
pub const WAIT: Duration = Duration::from_secs(15);
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(50);

/// The size of the page area (CSS pixels, device pixel ratio 1) a test looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewport {
    /// Used in screenshot file names.
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    /// Emulate a phone: the page's `<meta name="viewport">` applies, as on a phone.
    pub mobile: bool,
}

/// A phone (390×844, the size of a current iPhone).
pub const PHONE: Viewport = Viewport {
    name: "phone",
    width: 390,
    height: 844,
    mobile: true,
};

/// A laptop screen (1366×900).
pub const DESKTOP: Viewport = Viewport {
    name: "desktop",
    width: 1366,
    height: 900,
    mobile: false,
};

/// One headless Chromium session.
pub struct Browser {
    client: Client,
    session: String,
    port: u16,
    viewport: Mutex<Viewport>,
    /// Every console entry read so far (chromedriver hands each out once).
    console: Mutex<Vec<ConsoleEntry>>,
    /// Chromium's profile, removed after the session ended (fields drop after `drop`).
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Opens a fresh headless Chromium at `viewport`. Panics when chromium or
    /// chromedriver is missing (run `scripts/test`) or the session cannot start.
    pub async fn open(viewport: Viewport) -> Browser {
        let driver = driver::driver();
        let profile = tempfile::tempdir().expect("creates a Chromium profile directory");
        let capabilities = capabilities(&driver.chromium, &profile.path().display().to_string());
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|error| panic!("Chromium does not start a session: {error}"));
        let session = client
            .session_id()
            .await
            .ok()
            .flatten()
            .expect("chromedriver names the session");
        let browser = Browser {
            client,
            session,
            port: driver.port,
            viewport: Mutex::new(viewport),
            console: Mutex::new(Vec::new()),
            _profile: profile,
        };
        browser.set_viewport(viewport).await;
        browser
    }

    /// Resizes the page area to `viewport` (also switches phone emulation on or off).
    pub async fn set_viewport(&self, viewport: Viewport) {
        let metrics = json!({
            "width": viewport.width,
            "height": viewport.height,
            "deviceScaleFactor": 1,
            "mobile": viewport.mobile,
        });
        commands::chrome_devtools(&self.client, "Emulation.setDeviceMetricsOverride", metrics)
            .await;
        *self.viewport.lock().await = viewport;
    }

    /// The current page area.
    pub async fn viewport(&self) -> Viewport {
        *self.viewport.lock().await
    }

    /// Opens `url` and waits until it has loaded.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|error| panic!("Chromium cannot open {url}: {error}"));
    }

    /// The URL the browser is at (after redirects and form posts).
    pub async fn current_url(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("the browser has a URL")
            .to_string()
    }

    /// The first element matching the CSS `selector`, which must be there now.
    pub async fn find(&self, selector: &str) -> Element {
        match self.client.find(Locator::Css(selector)).await {
            Ok(element) => element,
            Err(error) => panic!("no `{selector}` on {}: {error}", self.where_().await),
        }
    }

    /// Every element matching the CSS `selector` now (maybe none).
    pub async fn find_all(&self, selector: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(selector))
            .await
            .unwrap_or_else(|error| panic!("cannot look for `{selector}`: {error}"))
    }

    /// The visible text of the first element matching `selector`.
    pub async fn text(&self, selector: &str) -> String {
        self.find(selector)
            .await
            .text()
            .await
            .expect("an element has text")
    }

    /// Replaces the value of the form field matching `selector` by typing `value`.
    pub async fn fill(&self, selector: &str, value: &str) {
        let field = self.wait_for(selector).await;
        field.clear().await.expect("the field can be cleared");
        field
            .send_keys(value)
            .await
            .unwrap_or_else(|error| panic!("cannot type into `{selector}`: {error}"));
    }

    /// Clicks the element matching `selector` (waiting for it to appear first).
    pub async fn click(&self, selector: &str) {
        self.wait_for(selector)
            .await
            .click()
            .await
            .unwrap_or_else(|error| panic!("cannot click `{selector}`: {error}"));
    }

    /// Waits (at most [`WAIT`]) until an element matches `selector`, and returns it.
    pub async fn wait_for(&self, selector: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .every(POLL)
            .for_element(Locator::Css(selector))
            .await
        {
            Ok(element) => element,
            Err(error) => panic!(
                "no `{selector}` appeared within {WAIT:?} on {}: {error}",
                self.where_().await
            ),
        }
    }

    /// Waits (at most [`WAIT`]) until the page's visible text contains `text`.
    pub async fn wait_for_text(&self, text: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let body = self.body_text().await;
            if body.contains(text) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "`{text}` did not appear within {WAIT:?} on {}; the page reads:\n{body}",
                self.where_().await
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// The visible text of the whole page (empty while there is no body yet).
    pub async fn body_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Runs `script` (a function body; `return` gives the value) in the page and
    /// returns its value, e.g. `return window.innerWidth`.
    pub async fn evaluate(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|error| panic!("the page cannot run `{script}`: {error}"))
    }

    /// The cookies the browser holds for the current page's site.
    pub async fn cookies(&self) -> Vec<Cookie<'static>> {
        self.client
            .get_all_cookies()
            .await
            .expect("the browser lists its cookies")
    }

    /// The cookie called `name` for the current page's site, if the browser holds one.
    pub async fn cookie(&self, name: &str) -> Option<Cookie<'static>> {
        self.cookies()
            .await
            .into_iter()
            .find(|cookie| cookie.name() == name)
    }

    /// Saves a screenshot of the page area as `<screenshots>/<name>.png` (see
    /// [`output_dir`]) after checking it is a real rendering of the current viewport
    /// ([`check_rendering`]); returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|error| panic!("Chromium takes no screenshot: {error}"));
        let viewport = self.viewport().await;
        let path = output_dir().join(format!("{}.png", screenshot::file_name(name)));
        std::fs::write(&path, &png).expect("the screenshot is saved");
        if let Err(problem) = check_rendering(&png, viewport.width, viewport.height) {
            panic!(
                "screenshot {} is not a rendering: {problem}",
                path.display()
            );
        }
        path
    }

    /// Every browser console entry of this session so far.
    pub async fn console(&self) -> Vec<ConsoleEntry> {
        let fresh = commands::browser_log(&self.client).await;
        let mut kept = self.console.lock().await;
        kept.extend(fresh);
        kept.clone()
    }

    /// Fails the test when the console shows a Content-Security-Policy violation or a
    /// script error, listing them.
    pub async fn assert_no_console_errors(&self) {
        let problems: Vec<ConsoleEntry> = self
            .console()
            .await
            .into_iter()
            .filter(|entry| entry.is_csp_violation() || entry.is_script_error())
            .collect();
        assert!(
            problems.is_empty(),
            "the browser console shows problems:\n{}",
            console::listing(&problems)
        );
    }

    /// "URL (viewport)" for failure messages.
    async fn where_(&self) -> String {
        let url = match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(_) => "an unknown page".to_owned(),
        };
        format!("{url} ({})", self.viewport().await.name)
    }
}

impl Drop for Browser {
    /// Ends the session, which quits its Chromium, so a failed test leaves no browser
    /// running. Blocking: `Drop` cannot await, and the test's runtime may be ending.
    fn drop(&mut self) {
        let _ = driver::request(self.port, "DELETE", &format!("/session/{}", self.session));
    }
}

/// The capabilities of a new session: headless Chromium from `chromium`, with a fresh
/// profile, keeping every browser console entry.
fn capabilities(chromium: &std::path::Path, profile: &str) -> Capabilities {
    let options = json!({
        "browserName": "chrome",
        "goog:loggingPrefs": { "browser": "ALL" },
        "goog:chromeOptions": {
            "binary": chromium.display().to_string(),
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-sync",
                "--hide-scrollbars",
                "--lang=en-US",
                format!("--user-data-dir={profile}"),
            ],
        },
    });
    match options {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

/// Where screenshots and chromedriver's log go: `$CARGO_TARGET_DIR/screenshots`, or the
/// `screenshots` folder of the target directory this test binary was built in.
pub fn output_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            // The binary is <target>/<profile>/deps/api-<hash>.
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.parent()?.parent()?.to_path_buf())
        })
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target")));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("creates the screenshots directory");
    dir
}

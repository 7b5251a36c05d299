//! The harness of the desktop app's end-to-end tests: a headless X server (or the DISPLAY
//! given in `TICKMARK_E2E_DISPLAY`), tauri-driver in front of WebKitWebDriver, and one
//! WebDriver session on the built app (`target/debug/tickmark-app`, or `TICKMARK_APP`) with a
//! throwaway HOME, so every run starts from a freshly built demo engagement. Everything it
//! started is stopped when the [`App`] is dropped, also when a step fails; a failed step leaves
//! a screenshot in `target/e2e/`.

use std::error::Error;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

pub type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

/// How long a step waits for something to appear; the slowest step (building the demo
/// engagement on first start) takes a few seconds on a 2-core machine.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// How long one step may take in all, so a WebDriver command that never answers fails the step.
pub const STEP_LIMIT: Duration = Duration::from_secs(60);

fn app_path_hint() -> String {
    std::env::var("TICKMARK_APP").unwrap_or_else(|_| "target/debug/tickmark-app".into())
}

/// The workspace's root (the parent of e2e/).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("e2e/ has a parent").to_path_buf()
}

/// A child process killed (with its own children, if asked) and reaped when dropped. The
/// processes stay in the test's process group, so Ctrl-C stops them all too.
struct Killed {
    child: Child,
    children: bool,
}

impl Drop for Killed {
    fn drop(&mut self) {
        if self.children {
            // tauri-driver's WebKitWebDriver; the app under it dies with the X server after this.
            let _ = Command::new("pkill").arg("-KILL").arg("-P").arg(self.child.id().to_string()).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The app under WebDriver. Fields drop in order: the session's processes before the X server,
/// the X server before the temporary home.
pub struct App {
    client: Option<Client>,
    _driver: Killed,
    _xvfb: Option<Killed>,
    home: tempfile::TempDir,
    name: String,
    /// When the session that launched the app was asked for.
    asked: Instant,
}

impl App {
    /// Starts the app with `args` (after the program name) and extra environment `env`, in a
    /// fresh home. `name` names the screenshot a failure leaves.
    pub async fn start(name: &str, args: &[&str], env: &[(&str, &Path)]) -> Result<App> {
        let app = match std::env::var_os("TICKMARK_APP") {
            // Relative to the workspace, like the default (tests run in e2e/).
            Some(p) => workspace().join(p),
            None => workspace().join("target/debug/tickmark-app"),
        };
        if !app.is_file() {
            return Err(format!("no app at {} (build it with `make app`)", app.display()).into());
        }
        let home = tempfile::Builder::new().prefix("tickmark-e2e-").tempdir()?;
        let (display, xvfb) = match std::env::var("TICKMARK_E2E_DISPLAY") {
            Ok(d) => (d, None),
            Err(_) => {
                let (d, x) = start_xvfb()?;
                (d, Some(x))
            }
        };

        let port = free_port()?;
        let native_port = free_port()?;
        let mut driver = Command::new(tauri_driver()?);
        app_env(&mut driver, &display, home.path());
        driver
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .stdout(Stdio::null())
            .stderr(if std::env::var_os("TICKMARK_E2E_VERBOSE").is_some() { Stdio::inherit() } else { Stdio::null() });
        for (k, v) in env {
            driver.env(k, v);
        }
        let driver = Killed { child: driver.spawn().map_err(|e| format!("tauri-driver: {e}"))?, children: true };
        wait_for_port(port, Duration::from_secs(10)).map_err(|_| "tauri-driver did not start listening")?;

        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), serde_json::json!({ "application": app, "args": args }));
        caps.insert("browserName".into(), "wry".into());
        // tauri-driver listens before the WebKitWebDriver behind it does: on a cold machine the
        // first session request can find nobody there. Ask again for a while, then give up.
        let mut attempt = 0;
        let mut asked;
        let client = loop {
            attempt += 1;
            asked = Instant::now();
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(e) if attempt < SESSION_ATTEMPTS => {
                    eprintln!("e2e: no WebDriver session yet ({e}); asking again");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                Err(e) => return Err(format!("no WebDriver session on the app after {attempt} attempts: {e}").into()),
            }
        };
        let app = App { client: Some(client), _driver: driver, _xvfb: xvfb, home, name: name.to_string(), asked };
        // A build without `--features custom-protocol` loads the Vite dev server, which is not running.
        let url = app.client().current_url().await?;
        if url.port() == Some(5173) {
            return Err(format!("{} loads the dev server ({url}): build it with `make app`", app_path_hint()).into());
        }
        Ok(app)
    }

    /// When the WebDriver session was asked for: the app was launched by that request.
    pub fn launched(&self) -> Instant {
        self.asked
    }

    /// The throwaway home the app runs in.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open until finish")
    }

    /// Runs one named step of the walk; a failure (or a step hanging for a minute) names the step.
    pub async fn step<T>(&self, name: &str, f: impl AsyncFnOnce(&App) -> Result<T>) -> Result<T> {
        eprintln!("e2e: {name}");
        match tokio::time::timeout(STEP_LIMIT, f(self)).await {
            Ok(r) => r.map_err(|e| format!("step \"{name}\" failed: {e}").into()),
            Err(_) => Err(format!("step \"{name}\" still running after {}s", STEP_LIMIT.as_secs()).into()),
        }
    }

    /// Ends the session. On a failed walk, first saves a screenshot of the window to
    /// target/e2e/NAME.png and panics with the failure and the screenshot's path.
    pub async fn finish(mut self, walk: Result<()>) {
        let client = self.client.take().expect("finish is called once");
        if let Err(e) = walk {
            let shot = workspace().join("target/e2e").join(format!("{}.png", self.name));
            let saved = match tokio::time::timeout(Duration::from_secs(10), client.screenshot()).await {
                Err(_) => "no screenshot (the driver did not answer)".to_string(),
                Ok(Err(se)) => format!("no screenshot ({se})"),
                Ok(Ok(png)) => std::fs::create_dir_all(shot.parent().unwrap())
                    .and_then(|_| std::fs::write(&shot, png))
                    .map(|_| format!("screenshot: {}", shot.display()))
                    .unwrap_or_else(|e| format!("no screenshot ({e})")),
            };
            let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
            panic!("{e}\n{saved}");
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
    }

    /// The first element at `xpath`, waiting for it to appear.
    pub async fn find(&self, xpath: &str) -> Result<Element> {
        self.client()
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(xpath))
            .await
            .map_err(|e| format!("nothing at {xpath} after {}s ({e})", PATIENCE.as_secs()).into())
    }

    /// Clicks the first element at `xpath` once it is there and enabled.
    pub async fn click(&self, xpath: &str) -> Result<()> {
        let el = self.find(xpath).await?;
        let start = Instant::now();
        while !el.is_enabled().await? {
            if start.elapsed() > PATIENCE {
                return Err(format!("{xpath} stayed disabled").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        el.click().await?;
        Ok(())
    }

    /// Clicks the button whose text is `label`.
    pub async fn button(&self, label: &str) -> Result<()> {
        self.click(&format!("//button[normalize-space()={}]", literal(label))).await
    }

    /// Waits until some element's own text contains `text`.
    pub async fn see(&self, text: &str) -> Result<Element> {
        self.find(&format!("//*[text()[contains(normalize-space(.), {})]]", literal(text))).await
    }

    /// Sends keys to the focused element (the page, if none).
    pub async fn keys(&self, keys: &str) -> Result<()> {
        self.client().active_element().await?.send_keys(keys).await?;
        Ok(())
    }
}

/// `s` as an XPath string literal (XPath 1.0 has no escapes: concat() when both quotes occur).
pub fn literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

fn tauri_driver() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return Ok(p.into());
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain(std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin")))
        .map(|d| d.join("tauri-driver"))
        .find(|p| p.is_file());
    on_path.ok_or_else(|| "tauri-driver is not installed (scripts/setup.sh installs it)".into())
}

/// The environment the app runs in under the harness: the X server `display`, the throwaway
/// `home` (and the XDG folders in it), the auditor's name, and WebKitGTK without an
/// accessibility bus or GPU.
pub fn app_env(cmd: &mut Command, display: &str, home: &Path) {
    cmd.env("DISPLAY", display)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("TICKMARK_USER", "Dana Whitfield")
        // No accessibility bus or GPU under Xvfb: keep WebKitGTK quiet and on software rendering.
        .env("NO_AT_BRIDGE", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
}

/// A headless X server of the harness's own, stopped when dropped.
pub struct Xvfb {
    display: String,
    _server: Killed,
}

impl Xvfb {
    pub fn start() -> Result<Xvfb> {
        let (display, server) = start_xvfb()?;
        Ok(Xvfb { display, _server: server })
    }

    /// `:N`, for `DISPLAY`.
    pub fn display(&self) -> &str {
        &self.display
    }
}

/// Starts Xvfb on the first free display it finds and returns that display.
fn start_xvfb() -> Result<(String, Killed)> {
    let mut child = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("Xvfb: {e} (scripts/setup.sh installs it)"))?;
    let mut out = child.stdout.take().expect("piped");
    let mut number = String::new();
    let mut byte = [0u8; 1];
    // Xvfb writes the display number and a newline once it accepts connections.
    while std::io::Read::read(&mut out, &mut byte)? == 1 && byte[0] != b'\n' {
        number.push(byte[0] as char);
    }
    if number.is_empty() {
        return Err("Xvfb exited before choosing a display".into());
    }
    Ok((format!(":{number}"), Killed { child, children: false }))
}

/// Session requests made before giving up on the driver (2 s apart).
const SESSION_ATTEMPTS: u32 = 6;

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, within: Duration) -> Result<()> {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > within {
            return Err("timed out".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

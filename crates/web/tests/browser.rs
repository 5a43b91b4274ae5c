//! End-to-end in a real headless Chromium, driven through ChromeDriver, against `vigilia serve`
//! on 127.0.0.1: a family reports a detention; a coordinator triages it against the person
//! already registered; a lawyer records the release and the balance changes; a volunteer cannot
//! open another volunteer's report. Every page is looked at on a 360-pixel-wide screen (and the
//! staff's main pages again at 1280 pixels), and checked with axe-core: no serious or critical
//! accessibility violation.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`scripts/test` installs them); the paths can
//! be changed with `VIGILIA_CHROMIUM` and `VIGILIA_CHROMEDRIVER`. Screenshots of each step are
//! kept in `target/screenshots/` (or `VIGILIA_SCREENSHOTS`). axe-core is the npm package pinned in
//! `tests/axe/package.json` (`scripts/test` runs `npm ci` there; `VIGILIA_AXE` names another
//! `axe.min.js`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use vigilia_core::clock::Clock;
use vigilia_core::fold::Record;
use vigilia_core::ids::SourceId;
use vigilia_core::model::Role;

mod common;
use common::{PASSWORD, World, world};

/// A phone photo's skeleton: an EXIF segment with the GPS position where it was taken, then
/// the image.
const PHOTO: &[u8] = b"\xFF\xD8\xFF\xE1\x00\x1DExif\0\0GPS 10.6545N 71.6406W\
\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00\x12\x34\x56\xFF\xD9";

/// ChromeDriver, started by the test on a free loopback port and stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let program =
            std::env::var("VIGILIA_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&program)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {program} ({e}): install Debian's chromium and chromium-driver \
                     (scripts/test does), or set VIGILIA_CHROMEDRIVER"
                )
            });
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The browser, pointed at the server, with the steps a person takes.
struct Browser {
    c: Client,
    base: String,
    shots: PathBuf,
    /// The screen's width in pixels: a phone's (360) or a desk's (1280).
    width: i64,
    axe: String,
    _profile: tempfile::TempDir,
}

/// axe-core's script, as `npm ci` in `tests/axe` installs it.
fn axe_script() -> String {
    let path = std::env::var("VIGILIA_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/axe/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is needed to check the pages' accessibility: {}: {e}; run `npm ci` in crates/web/tests/axe (scripts/test does)",
            path.display()
        )
    })
}

impl Browser {
    async fn open(driver: &Driver, base: String) -> Browser {
        Browser::open_at(driver, base, 360).await
    }

    async fn open_at(driver: &Driver, base: String, width: i64) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let chromium =
            std::env::var("VIGILIA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium,
                // A phone's screen (headless windows are never narrower than 500 pixels), or
                // a desk's.
                "mobileEmulation": {
                    "deviceMetrics": { "width": width, "height": if width < 500 { 740 } else { 900 }, "pixelRatio": 1.0 }
                },
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let c = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("a Chromium session from ChromeDriver");
        let shots = std::env::var("VIGILIA_SCREENSHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|_| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
            });
        std::fs::create_dir_all(&shots).unwrap();
        Browser {
            c,
            base,
            shots,
            width,
            axe: axe_script(),
            _profile: profile,
        }
    }

    async fn go(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn path(&self) -> String {
        self.c.current_url().await.unwrap().path().to_string()
    }

    async fn fill(&self, id: &str, value: &str) {
        let e = self.c.find(Locator::Id(id)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
    }

    async fn value(&self, id: &str) -> String {
        let e = self.c.find(Locator::Id(id)).await.unwrap();
        e.prop("value").await.unwrap().unwrap_or_default()
    }

    async fn choose_file(&self, id: &str, path: &std::path::Path) {
        let e = self.c.find(Locator::Id(id)).await.unwrap();
        e.send_keys(&path.display().to_string()).await.unwrap();
    }

    async fn choose(&self, id: &str, value: &str) {
        let e = self.c.find(Locator::Id(id)).await.unwrap();
        e.select_by_value(value).await.unwrap();
    }

    /// Clicks something that stays on the page (a radio button).
    async fn press(&self, css: &str) {
        let at = self.path().await;
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on {at}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Clicks a button or link that loads a new page, and waits until the new page is there.
    async fn follow(&self, css: &str) {
        let old = self.c.find(Locator::Css("html")).await.unwrap();
        self.press(css).await;
        for _ in 0..500 {
            if old.tag_name().await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{css} loaded no page");
    }

    async fn text(&self) -> String {
        self.c
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn text_of(&self, id: &str) -> String {
        self.c
            .find(Locator::Id(id))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Keeps a screenshot, checks the page fits the screen without sideways scrolling, and has
    /// no serious or critical accessibility violation by axe-core.
    async fn look(&self, name: &str) {
        let png = self.c.screenshot().await.unwrap();
        let name = if self.width == 360 {
            name.to_string()
        } else {
            format!("{name}-{}", self.width)
        };
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
        let check = format!(
            "{}\nconst done = arguments[arguments.length - 1];\
             axe.run(document, {{ resultTypes: ['violations'] }}).then(r => done(r.violations\
               .filter(v => v.impact === 'serious' || v.impact === 'critical')\
               .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))),\
               e => done(['axe failed: ' + e]));",
            self.axe
        );
        let found = self.c.execute_async(&check, vec![]).await.unwrap();
        let found: Vec<String> = serde_json::from_value(found).unwrap();
        assert!(found.is_empty(), "{name}: accessibility: {found:#?}");
        let widths = self
            .c
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        let (scroll, inner) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
        assert!(
            inner == self.width && scroll <= inner,
            "{name}: the page is {scroll} pixels wide on a {inner}-pixel screen"
        );
    }

    async fn sign_in(&self, w: &World, name: &str, secret: Option<&str>) {
        self.go("/login").await;
        self.fill("name", name).await;
        self.fill("password", PASSWORD).await;
        if let Some(s) = secret {
            // A code is good once: each sign-in waits for the next one.
            w.clock.advance(30);
            let code = vigilia_app::credentials::current_code(s, w.clock.now()).unwrap();
            self.fill("code", &code).await;
        }
        self.follow("form[action='/login'] button").await;
        assert_ne!(
            self.path().await,
            "/login",
            "{name} signs in: {}",
            self.text().await
        );
    }

    async fn sign_in_as(&self, w: &World, role: Role) {
        let (_, name, secret, _) = w.secrets.iter().find(|s| s.0 == role).unwrap();
        self.sign_in(w, name, secret.as_deref()).await;
    }

    async fn sign_out(&self) {
        self.follow("form[action='/logout'] button").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_family_a_coordinator_a_lawyer_and_two_volunteers_do_their_work_in_chromium() {
    let w = world();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(vigilia_web::serve_on(w.app.clone(), listener));
    let driver = Driver::start();
    let b = Browser::open(&driver, base).await;

    // A volunteer reports an arrest; the coordinator accepts it as a new person; a lawyer
    // recognises the detention as political.
    b.sign_in_as(&w, Role::Volunteer).await;
    b.go("/reports/new").await;
    b.fill("given_names", "José Gregorio").await;
    b.fill("paternal_surname", "Pérez").await;
    b.fill("arrest_date", "2026-11-10").await;
    b.choose("state", "VE-V").await;
    b.press("input[name='consent'][value='initials']").await;
    b.look("01-volunteer-report").await;
    b.follow("form[action='/reports/new'] button[type='submit']")
        .await;
    assert_eq!(b.path().await, "/reports/1", "{}", b.text().await);
    // A file that is not a photo is refused next to its field, and what was typed stays.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("acta.exe");
    std::fs::write(&bad, b"MZ\x90\0\x03").unwrap();
    b.fill("title", "Foto del acta").await;
    b.choose_file("file", &bad).await;
    b.follow("form[action='/reports/1/sources'] button").await;
    assert!(
        b.text_of("file-error")
            .await
            .contains("Solo se aceptan fotos"),
        "{}",
        b.text().await
    );
    assert_eq!(b.value("title").await, "Foto del acta");
    b.look("01b-volunteer-wrong-file").await;
    // A phone photo is taken, without the position hidden in it.
    let photo = dir.path().join("acta.jpg");
    std::fs::write(&photo, PHOTO).unwrap();
    b.choose_file("file", &photo).await;
    b.follow("form[action='/reports/1/sources'] button").await;
    assert_eq!(b.path().await, "/reports/1");
    b.follow("a[href='/sources/1/file']").await;
    let shown =
        b.c.execute("return document.contentType;", vec![])
            .await
            .unwrap();
    assert_eq!(shown, "image/jpeg");
    let kept = w
        .app
        .read(|_, l| {
            let Some(Record::Source(s)) = l.get(SourceId(1).into())? else {
                panic!("source 1 is the photo")
            };
            Ok(l.file(&s.file.unwrap().sha256)?.unwrap().1)
        })
        .await
        .unwrap();
    assert!(kept.starts_with(&[0xFF, 0xD8]) && kept.len() < PHOTO.len());
    assert!(
        !kept.windows(3).any(|w| w == b"GPS"),
        "the position is gone"
    );
    b.c.back().await.unwrap();
    b.sign_out().await;
    b.sign_in_as(&w, Role::Coordinator).await;
    b.go("/triage/1").await;
    b.follow("#accept-new").await;
    assert_eq!(b.path().await, "/detentions/1");
    b.sign_out().await;
    b.sign_in_as(&w, Role::Lawyer).await;
    b.go("/detentions/1").await;
    b.choose("status", "recognised").await;
    b.fill("reason", "Dirigente vecinal").await;
    b.follow("form[action='/detentions/1/recognition'] button")
        .await;
    b.sign_out().await;

    // A family reports the same man, without accents, on the public form. Sent at once, it is
    // asked to wait (the delay that holds off floods) and keeps what was typed.
    b.go("/report").await;
    b.look("02-family-form").await;
    b.fill("given_names", "Jose Gregorio").await;
    b.fill("paternal_surname", "Perez").await;
    b.fill("arrest_date", "2026-11-10").await;
    b.choose("state", "VE-V").await;
    b.fill("facility", "El Helicoide").await;
    b.fill("contact", "+58 414 000 0000").await;
    b.press("input[name='consent'][value='named']").await;
    b.follow("form[action='/report'] button[type='submit']")
        .await;
    let asked = b.text().await;
    assert!(asked.contains("espere unos segundos"), "{asked}");
    // The page's script proved its work for the form while it was filled in.
    assert!(!b.value("work").await.is_empty());
    assert_eq!(b.value("given_names").await, "Jose Gregorio");
    assert_eq!(b.value("facility").await, "El Helicoide");
    b.look("03-family-asked-to-wait").await;
    w.clock.advance(5);
    b.follow("form[action='/report'] button[type='submit']")
        .await;
    let code = b.text_of("receipt").await;
    assert_eq!(code.len(), 14, "a receipt code: {}", b.text().await);
    b.look("04-family-receipt").await;
    // With the code the family sees its report, and not its own contact.
    b.go("/follow").await;
    b.fill("code", &code).await;
    b.follow("form[action='/follow'] button").await;
    let seen = b.text().await;
    assert!(
        seen.contains("Jose Gregorio") && !seen.contains("414 000"),
        "{seen}"
    );

    // The coordinator finds it in triage with the registered person as candidate and attaches
    // it to his detention.
    b.sign_in_as(&w, Role::Coordinator).await;
    b.go("/triage").await;
    b.follow("a[href='/triage/2']").await;
    let candidate =
        b.c.find(Locator::Css("a[href='/persons/1']"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    assert_eq!(candidate, "José Gregorio Pérez");
    assert!(b.text().await.contains("Zulia"), "the state by its name");
    b.look("05-coordinator-triage").await;
    b.follow("form[action='/triage/2/attach'] input[name='detention'] + button")
        .await;
    assert_eq!(b.path().await, "/detentions/1");
    assert!(
        b.c.find(Locator::Css("a[href='/reports/2']")).await.is_ok(),
        "the detention rests on the family's report"
    );
    b.go("/reports/2").await;
    assert!(
        b.text().await.contains("+58 414 000 0000"),
        "the coordinator sees the family's contact"
    );
    b.sign_out().await;

    // The lawyer records the release; the balance goes from one political prisoner to none,
    // and as of the day before it is still one.
    b.sign_in_as(&w, Role::Lawyer).await;
    b.go("/balance").await;
    assert_eq!(b.text_of("political-prisoners").await, "1");
    b.go("/detentions/1").await;
    b.choose("end-kind", "released").await;
    b.fill("end-date", "2026-11-19").await;
    b.follow("form[action='/detentions/1/end'] button").await;
    b.look("06-lawyer-release").await;
    // The person's case file, printed to PDF by the browser (its print stylesheet).
    b.go("/persons/1/file").await;
    assert!(
        b.text().await.contains("excarcelación") || b.text().await.contains("liberación plena")
    );
    b.look("06b-case-file").await;
    let pdf =
        b.c.print(fantoccini::wd::PrintConfiguration::default())
            .await
            .unwrap();
    assert!(
        pdf.starts_with(b"%PDF") && pdf.len() > 1_000,
        "{} bytes",
        pdf.len()
    );
    std::fs::write(b.shots.join("06b-case-file.pdf"), &pdf).unwrap();
    b.go("/balance").await;
    assert_eq!(b.text_of("political-prisoners").await, "0");
    b.look("07-balance-after").await;
    b.go("/balance?as_of=2026-11-18").await;
    assert_eq!(b.text_of("political-prisoners").await, "1");
    // The page switches to English and back.
    b.follow("a[href^='/lang/en']").await;
    assert!(b.text().await.contains("Sign out"), "{}", b.text().await);
    b.follow("a[href^='/lang/es']").await;
    b.sign_out().await;

    // Another volunteer cannot open the first volunteer's report, nor find it in their list.
    b.sign_in(&w, "t-other", None).await;
    b.go("/reports/1").await;
    let refused = b.text().await;
    assert!(
        refused.contains("Su cuenta no tiene acceso a esto.") && !refused.contains("Gregorio"),
        "{refused}"
    );
    b.look("08-other-volunteer-refused").await;
    b.go("/reports").await;
    assert!(!b.text().await.contains("Gregorio"));

    b.c.close().await.unwrap();
}

/// The staff's main pages on a registry of 1,500 detentions, on a phone and at a desk: the
/// balance, the list behind a figure (filtered, a page further on), a search, the accounts,
/// the triage queue, "Para hoy", the places and a detention's case; every one fits its screen
/// and passes axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staffs_lists_read_on_a_phone_and_at_a_desk() {
    let w = common::world_with_detentions(1_500);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(vigilia_web::serve_on(w.app.clone(), listener));
    let driver = Driver::start();
    for width in [360, 1280] {
        let b = Browser::open_at(&driver, base.clone(), width).await;
        b.sign_in_as(&w, Role::Coordinator).await;
        b.go("/balance?as_of=2026-11-20").await;
        b.look("20-balance").await;
        b.go("/balance/list?list=held&as_of=2026-11-20").await;
        b.look("21-list").await;
        // Filter by a state, chosen in the form, and sort by surname.
        b.press("details.filters-box > summary").await;
        b.choose("state", "VE-A").await;
        b.choose("sort", "name").await;
        b.follow("form.filters button").await;
        let text = b.text_of("total").await;
        assert!(text.contains(" de "), "{text}");
        b.look("22-list-filtered").await;
        b.go("/balance/list?list=held&as_of=2026-11-20&page=2")
            .await;
        assert!(b.text_of("total").await.contains("página 2 de"));
        // A filter typed wrong is said beside it.
        b.go("/balance/list?list=held&as_of=2026-11-20&from=31/02/2024")
            .await;
        assert!(
            b.text_of("from-error").await.contains("2024")
                || !b.text_of("from-error").await.is_empty()
        );
        b.look("23-list-wrong-filter").await;
        b.go("/persons?q=maria").await;
        b.look("24-search").await;
        b.go("/triage").await;
        b.look("25-triage").await;
        b.go("/persons/2/merge?into=1").await;
        b.look("25b-merge-compare").await;
        b.go("/alerts?as_of=20/11/2026").await;
        b.look("25e-alerts").await;
        // The register of places, a place with its people, a detention's case with a form open.
        b.go("/places").await;
        b.look("25f-places").await;
        b.go("/places/4").await;
        assert!(b.text().await.contains("Zona 7 Boleíta"));
        b.look("25g-place").await;
        b.go("/detentions/3").await;
        b.press("#case-forms + details > summary").await;
        assert!(b.text().await.contains("Caso judicial"));
        b.look("25h-detention-case").await;
        // The analysts' estimate: its form (period, state, lists), and a state it does not know
        // said where the form is.
        b.go("/estimate").await;
        b.choose("state", "Zulia").await;
        b.look("25k-estimate-form").await;
        b.go("/estimate?state=Narnia&method=lcmcr").await;
        assert!(b.text_of("problem").await.contains("Narnia"));
        b.look("25l-estimate-wrong-state").await;
        // Publishing a balance (once: the second width finds it published) and its public
        // pages, the names as consented.
        b.go("/balance/publish?as_of=2026-11-20").await;
        if width == 360 {
            b.follow("form[action='/balance/publish'] button").await;
        }
        b.go("/public/1").await;
        b.look("25i-public-balance").await;
        b.go("/public/1/names").await;
        assert!(
            b.text_of("figure")
                .await
                .chars()
                .any(|c| c.is_ascii_digit())
        );
        b.look("25j-public-names").await;
        b.go("/team").await;
        b.press("section.member details > summary").await;
        b.look("25c-team").await;
        b.go("/accounts/3/access").await;
        b.look("25d-reset-access").await;
        b.sign_out().await;
        b.sign_in_as(&w, Role::Lawyer).await;
        b.go("/cases").await;
        b.look("26-lawyer-cases").await;
        b.sign_out().await;
        b.sign_in_as(&w, Role::Admin).await;
        b.go("/accounts").await;
        b.look("27-accounts").await;
        b.c.close().await.unwrap();
    }
}

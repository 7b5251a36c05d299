//! One control of the demo engagement walked through the real desktop app, as an auditor does
//! it: CC6.3-01 (Okta deactivation of terminated workers), whose population the demo imported
//! but never accepted. Run with `make e2e` (it builds the app and installs what is missing).

use std::path::Path;

use tickmark_e2e::{App, Result, workspace};

const CONTROL: &str = "CC6.3-01";

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, tauri-driver, WebKitWebDriver and Xvfb: run `make e2e`"]
async fn a_demo_control_goes_from_import_to_an_accepted_population() {
    let source = workspace().join("fixtures/acme/terminations.csv");
    let out = tempfile::tempdir().unwrap();
    let workpaper = out.path().join("CC6.3-01.xlsx");
    let app = App::start(
        "walk",
        &["--demo"],
        // The test hook (src-tauri/src/e2e.rs): WebDriver cannot drive the native dialogs.
        &[("TICKMARK_E2E_OPEN", &source), ("TICKMARK_E2E_SAVE", &workpaper)],
    )
    .await
    .unwrap();
    let walk = walk(&app, &workpaper).await;
    app.finish(walk).await;
}

async fn walk(app: &App, _workpaper: &Path) -> Result<()> {
    app.step("the demo engagement opens on its controls", async |app| {
        app.see("Acme Cloud, Inc.").await?;
        app.find(&format!("//tr[td[normalize-space()='{CONTROL}']]")).await?;
        Ok(())
    })
    .await?;

    app.step("open the control's workspace", async |app| {
        app.click(&format!("//td[normalize-space()='{CONTROL}']")).await?;
        app.button("Open workspace").await?;
        app.find(&format!("//h1[normalize-space()='{CONTROL}']")).await?;
        app.see("Awaiting acceptance").await?;
        Ok(())
    })
    .await?;

    app.step("import the terminations export again, mapping key and date", async |app| {
        app.button("Replace…").await?;
        app.button("Choose file…").await?;
        app.find("//h2[normalize-space()='terminations.csv']").await?;
        app.find("//label[contains(., 'Item key')]/select").await?.select_by_label("Employee ID").await?;
        app.find("//label[starts-with(normalize-space(), 'Date ')]/select")
            .await?
            .select_by_label("Last Day of Work")
            .await?;
        app.button("Import population").await?;
        Ok(())
    })
    .await?;

    app.step("read the validation report and accept the population", async |app| {
        app.see("Acceptance").await?;
        app.button("Accept population").await?;
        app.find("//*[contains(@class, 'badge') and contains(normalize-space(), 'Accepted by Dana Whitfield')]")
            .await?;
        Ok(())
    })
    .await?;

    // The walk stops here until the sampling, testing, conclusion and export screens are
    // committed: then draw (fixed seed), test with P/E/N and one exception, conclude, sign off as
    // preparer and reviewer, export to `workpaper` (TICKMARK_E2E_SAVE) and read it back.
    Ok(())
}

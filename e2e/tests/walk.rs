//! One control of the demo engagement walked through the real desktop app, as an auditor does
//! it: CC6.3-01 (Okta deactivation of terminated workers), whose population the demo imported
//! but never accepted. Run with `make e2e` (it builds the app and installs what is missing).

use std::path::Path;

use tickmark_e2e::{App, Result, literal, workspace};

const CONTROL: &str = "CC6.3-01";

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, tauri-driver, WebKitWebDriver and Xvfb: run `make e2e`"]
async fn a_demo_control_goes_from_import_through_testing_and_sign_off_to_an_exported_workpaper() {
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
    // The exported file, read back: the ten sample items of the control (five drawn, five added
    // by the firm's expansion rule after one deviation), the exception's text.
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&workpaper).expect("the exported workbook opens");
    let mut text = |sheet: &str| -> String {
        let range =
            calamine::Reader::worksheet_range(&mut book, sheet).unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
        range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect::<Vec<_>>().join("|")
    };
    let sample = text("Sample");
    assert_eq!(sample.matches(CONTROL).count(), 10, "{sample}");
    assert!(text("Results").contains(EXCEPTION));
}

const EXCEPTION: &str = "Okta account still active 3 days after the last day";

/// Why five items: a judgemental size is recorded with the auditor's reason.
const JUDGEMENT: &str = "Walkthrough sample: 5 terminations";

/// Records a pass on attributes A, B and C of the given items from the keyboard.
async fn pass_items(app: &App, ordinals: std::ops::RangeInclusive<u32>) -> Result<()> {
    for ordinal in ordinals {
        for label in ["A", "B", "C"] {
            let cell = format!("//*[@data-testid='cell-{ordinal}-{label}']");
            app.click(&cell).await?;
            app.keys("p").await?;
            app.find(&format!("{cell}[@data-outcome='pass']")).await?;
        }
    }
    Ok(())
}

async fn walk(app: &App, _workpaper: &Path) -> Result<()> {
    app.step("the demo engagement opens on its dashboard, the tested control with its exception", async |app| {
        app.see("Acme Cloud, Inc.").await?;
        app.find("//h1[normalize-space()='Dashboard']").await?;
        app.find(&format!("//*[@data-testid='dashboard-row-{CONTROL}']")).await?;
        app.click("//*[@data-testid='filter-with-exceptions']").await?;
        app.find("//*[@data-testid='dashboard-row-CC6.1-01']/td[normalize-space()='4 of 4']").await?;
        app.click("//*[@data-testid='filter-with-exceptions']").await?;
        Ok(())
    })
    .await?;

    app.step("coverage is one click away and rolls the evaluated exception up to CC5.2", async |app| {
        app.click("//*[@data-testid='dashboard-coverage']").await?;
        app.find("//*[@data-testid='criterion-CC5.2' and contains(., 'Met, with exceptions evaluated')]").await?;
        app.click("//*[@data-testid='nav-controls']").await?;
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

    app.step("draw a five-item sample of a judgemental size, with its reason and a fixed seed", async |app| {
        app.click("//*[@role='tab' and contains(normalize-space(), 'Sampling')]").await?;
        app.find("//*[@data-testid='draw-approach']").await?.select_by_value("judgemental").await?;
        app.find("//*[@data-testid='draw-judgemental-reason']").await?.send_keys(JUDGEMENT).await?;
        let size = app.find("//*[@data-testid='draw-size']").await?;
        size.clear().await?;
        size.send_keys("5").await?;
        let seed = app.find("//*[@data-testid='draw-seed']").await?;
        seed.clear().await?;
        seed.send_keys("e2e-walk").await?;
        app.click("//*[@data-testid='draw-submit']").await?;
        app.find("//*[@data-testid='sample-row-5']").await?;
        app.find("//*[@data-testid='sample-seed' and normalize-space()='e2e-walk']").await?;
        app.find(&format!("//*[@data-testid='sample-approach' and contains(., {})]", literal(JUDGEMENT))).await?;
        Ok(())
    })
    .await?;

    app.step("test every item from the keyboard: P for a pass, E with its text for one exception", async |app| {
        app.click("//*[@role='tab' and contains(normalize-space(), 'Testing')]").await?;
        for ordinal in 1..=5 {
            for label in ["A", "B", "C"] {
                let cell = format!("//*[@data-testid='cell-{ordinal}-{label}']");
                app.click(&cell).await?;
                if (ordinal, label) == (2, "B") {
                    app.keys("e").await?;
                    app.find("//*[@data-testid='panel-ask-text']").await?.send_keys(EXCEPTION).await?;
                    app.click("//*[@data-testid='panel-ask-save']").await?;
                    app.find(&format!("{cell}[@data-outcome='exception']")).await?;
                } else {
                    app.keys("p").await?;
                    app.find(&format!("{cell}[@data-outcome='pass']")).await?;
                }
            }
        }
        Ok(())
    })
    .await?;

    app.step("one deviation in five: the firm's expansion rule extends the sample to ten", async |app| {
        app.click("//*[@role='tab' and contains(normalize-space(), 'Conclusion')]").await?;
        app.find("//*[@data-testid='evaluation-k-of-n' and normalize-space()='1 of 5']").await?;
        app.find("//*[@data-testid='conclusion-proposed' and starts-with(normalize-space(), 'Sample too small')]")
            .await?;
        app.click("//*[@data-testid='extend-to' and contains(normalize-space(), 'to 10')]").await?;
        app.find("//*[@data-testid='evaluation-listed' and normalize-space()='10']").await?;
        app.find("//*[@data-testid='conclusion-blocker']").await?;
        Ok(())
    })
    .await?;

    app.step("test the five added items: P on every attribute", async |app| {
        app.click("//*[@role='tab' and contains(normalize-space(), 'Testing')]").await?;
        pass_items(app, 6..=10).await
    })
    .await?;

    app.step("conclude on the extended sample, then sign off as preparer and as reviewer", async |app| {
        app.click("//*[@role='tab' and contains(normalize-space(), 'Conclusion')]").await?;
        app.find("//*[@data-testid='evaluation-k-of-n' and normalize-space()='1 of 10']").await?;
        app.find("//*[@data-testid='conclusion-proposed' and normalize-space()='Exceptions noted']").await?;
        app.click("//*[@data-testid='conclude-submit']").await?;
        app.find("//*[@data-testid='conclusion-recorded']").await?;
        // The demo's walkthrough concluded the design, so the preparer may sign off.
        app.find("//*[@data-testid='conclusion-design' and contains(., 'Suitably designed')]").await?;
        app.click("//*[@data-testid='signoff-preparer-sign']").await?;
        app.find("//*[@data-testid='signoff-preparer' and contains(., 'Dana Whitfield')]").await?;
        app.click("//*[@data-testid='signoff-reviewer-sign']").await?;
        app.find("//*[@data-testid='signoff-reviewer' and contains(., 'Marcus Oyelaran')]").await?;
        Ok(())
    })
    .await?;

    app.step("export the control's workpaper as xlsx", async |app| {
        app.click("//*[@data-testid='nav-export']").await?;
        app.click("//*[@data-testid='export-scope-control']").await?;
        app.click("//*[@data-testid='export-format-xlsx']").await?;
        app.click("//*[@data-testid='export-run']").await?;
        app.find("//*[@data-testid='export-result']").await?;
        Ok(())
    })
    .await?;
    Ok(())
}

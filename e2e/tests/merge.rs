//! Team fieldwork through the real desktop app: the demo's in-charge (Dana) has handed CC8.1-01
//! to Ravi, both recorded item 4 attribute B; in the app she sees who holds it, hands another
//! control off, and merges Ravi's returned copy, resolving the conflict on the merge screen.
//! Run with `make e2e`.

use std::path::Path;

use tickmark::Engagement;
use tickmark::engagement::Actor;
use tickmark::engagement::fieldwork::Outcome;
use tickmark::identity::{self, NamedKey};
use tickmark::store::HandoffInput;
use tickmark_e2e::{App, Result};

const DANA: &str = "Dana Whitfield";
const RAVI: &str = "Ravi Patel";

/// `name`'s signing identity in `keys` (the folder the app reads through TICKMARK_CONFIG_DIR).
fn actor(keys: &Path, name: &str) -> Actor {
    let (id, _, _) = identity::load_or_create(keys, name, identity::os_random_secret).unwrap();
    Actor::signed(id, chrono::Utc::now())
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, tauri-driver, WebKitWebDriver and Xvfb: run `make e2e`"]
async fn a_returned_working_copy_is_merged_in_the_app_once_its_conflict_is_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let keys = config.join("identity");
    let demo = dir.path().join("acme.tickmark");
    let copy = dir.path().join("acme.ravi-patel.tickmark");
    let second = dir.path().join("acme.ravi-patel-2.tickmark");
    {
        let dana = actor(&keys, DANA);
        let ravi = actor(&keys, RAVI);
        tickmark::demo::build(&demo, false, &dana).unwrap();
        let mut eng = Engagement::open(&demo).unwrap();
        let key = NamedKey { name: RAVI.into(), key: ravi.identity.as_ref().unwrap().public_key() };
        eng.pin_signer(&key, &dana).unwrap();
        let input = HandoffInput { assignee: RAVI.into(), controls: vec!["CC8.1-01".into()] };
        eng.handoff(&input, &copy, None, &dana).unwrap();
        let mut theirs = Engagement::open(&copy).unwrap();
        theirs.record_result("CC8.1-01", 4, "B", Outcome::Exception, "no test record on the ticket", &ravi).unwrap();
        eng.record_result("CC8.1-01", 4, "B", Outcome::Pass, "", &dana).unwrap();
    }
    let app = App::start(
        "team",
        &[demo.to_str().unwrap()],
        &[("TICKMARK_CONFIG_DIR", &config), ("TICKMARK_E2E_OPEN", &copy), ("TICKMARK_E2E_SAVE", &second)],
    )
    .await
    .unwrap();
    let walk = walk(&app).await;
    app.finish(walk).await;
    assert!(second.is_file(), "the second hand-off wrote its working copy");
}

async fn walk(app: &App) -> Result<()> {
    app.step("the dashboard shows CC8.1-01 held by Ravi", async |app| {
        app.find("//*[@data-testid='held-by-CC8.1-01' and contains(., 'Held by Ravi Patel')]").await?;
        Ok(())
    })
    .await?;

    app.step("the Team screen lists Ravi's working copy as out", async |app| {
        app.click("//*[@data-testid='nav-team']").await?;
        app.find("//tr[@data-testid='team-row-Ravi Patel' and contains(., 'CC8.1-01') and contains(., 'Out')]").await?;
        Ok(())
    })
    .await?;

    app.step("hand CC6.1-01 to Ravi; CC8.1-01 is shown held and cannot be picked", async |app| {
        app.click("//*[@data-testid='team-handoff']").await?;
        app.find("//input[@data-testid='handoff-control-CC8.1-01' and @disabled]").await?;
        app.click("//input[@data-testid='handoff-to-Ravi Patel']").await?;
        app.click("//input[@data-testid='handoff-control-CC6.1-01']").await?;
        app.click("//*[@data-testid='handoff-run']").await?;
        app.find("//*[@data-testid='handoff-result' and contains(., 'Handed CC6.1-01 to Ravi Patel')]").await?;
        app.button("Done").await?;
        app.find("//tr[@data-testid='team-row-Ravi Patel' and contains(., 'CC6.1-01')]").await?;
        Ok(())
    })
    .await?;

    app.step("the returned copy's conflict holds the merge until it is resolved", async |app| {
        app.click("//*[@data-testid='team-merge']").await?;
        app.find("//*[@data-testid='merge-conflict-0' and contains(., 'item 4, attribute B') and contains(., 'Exception') and contains(., 'Pass')]")
            .await?;
        app.find("//button[@data-testid='merge-run' and @disabled]").await?;
        app.click("//input[@data-testid='merge-keep-returned-0']").await?;
        app.click("//button[@data-testid='merge-run' and not(@disabled)]").await?;
        app.find("//*[@data-testid='merge-result' and contains(., 'Merged Ravi Patel')]").await?;
        Ok(())
    })
    .await?;

    app.step("the Team screen shows the copy merged; merging it again is said to be done already", async |app| {
        app.button("Back to Team").await?;
        app.find("//tr[@data-testid='team-row-Ravi Patel' and contains(., 'CC8.1-01') and contains(., 'Merged')]")
            .await?;
        app.click("//*[@data-testid='team-merge']").await?;
        app.find("//*[@data-testid='merge-already']").await?;
        Ok(())
    })
    .await?;
    Ok(())
}

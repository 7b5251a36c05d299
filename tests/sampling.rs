//! The sampling engine against outside truths: the SAMPLING-SPEC v1 test vectors, the AICPA
//! Audit Sampling Guide's Appendix A tables (transcribed in `tests/data/`), properties of the
//! selection methods, and the refusal of bad input.

use std::collections::BTreeSet;
use std::path::PathBuf;

use proptest::prelude::*;
use rand::SeedableRng;
use tickmark::engagement::Frequency;
use tickmark::sampling::*;

fn seed(text: &str) -> Seed {
    Seed::new(text).expect("test seeds are valid")
}

fn confidence(text: &str) -> Rate {
    Rate::confidence(text).expect("valid confidence")
}

fn tolerable(text: &str) -> Rate {
    Rate::tolerable(text).expect("valid tolerable rate")
}

fn expected(text: &str) -> Rate {
    Rate::expected(text).expect("valid expected rate")
}

fn binomial_plan(conf: &str, tol: &str, exp: &str) -> Plan {
    plan_attribute(confidence(conf), tolerable(tol), expected(exp), Distribution::Binomial).expect("valid plan")
}

// ---------------------------------------------------------------------------------------------
// SAMPLING-SPEC v1 test vectors

#[test]
fn random_selection_matches_spec_vector_n1000_seed_12345() {
    assert_eq!(select_random(1000, 10, &seed("12345")).unwrap(), [227, 56, 663, 54, 850, 814, 25, 394, 792, 662]);
}

#[test]
fn random_selection_matches_spec_vector_n7_unicode_seed_with_a_space() {
    assert_eq!(select_random(7, 7, &seed("Ä seed")).unwrap(), [2, 5, 1, 6, 4, 3, 7]);
}

#[test]
fn systematic_selection_matches_spec_vector_n1000_seed_12345() {
    assert_eq!(select_systematic(1000, 10, &seed("12345")).unwrap(), [27, 127, 227, 327, 427, 527, 627, 727, 827, 927]);
}

fn spec_quarters() -> Vec<Stratum> {
    vec![
        Stratum::new("2026-Q1", 300),
        Stratum::new("2026-Q2", 250),
        Stratum::new("2026-Q3", 410),
        Stratum::new("2026-Q4", 40),
    ]
}

fn by_stratum(items: &[StratifiedItem]) -> Vec<(String, Vec<u64>)> {
    let mut grouped: Vec<(String, Vec<u64>)> = Vec::new();
    for item in items {
        match grouped.last_mut() {
            Some((label, positions)) if *label == item.stratum => positions.push(item.position_in_stratum),
            _ => grouped.push((item.stratum.clone(), vec![item.position_in_stratum])),
        }
    }
    grouped
}

#[test]
fn stratified_selection_matches_spec_vector_n10_by_quarter_seed_12345() {
    let items = select_stratified(&spec_quarters(), 10, &seed("12345")).unwrap();
    assert_eq!(
        by_stratum(&items),
        [
            ("2026-Q1".to_string(), vec![181, 110, 87]),
            ("2026-Q2".to_string(), vec![3, 40, 53]),
            ("2026-Q3".to_string(), vec![403, 194, 333]),
            ("2026-Q4".to_string(), vec![4]),
        ]
    );
    let ordinals: Vec<u64> = items.iter().map(|item| item.ordinal).collect();
    assert_eq!(ordinals, (1..=10).collect::<Vec<_>>());
}

#[test]
fn stratified_selection_matches_spec_vector_n3_leaving_the_fourth_quarter_out() {
    let items = select_stratified(&spec_quarters(), 3, &seed("12345")).unwrap();
    assert_eq!(
        by_stratum(&items),
        [("2026-Q1".to_string(), vec![181]), ("2026-Q2".to_string(), vec![3]), ("2026-Q3".to_string(), vec![403]),]
    );
}

#[test]
fn stratification_maps_stratum_positions_back_to_population_positions() {
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    // Positions 1..=6 in canonical order; Q3 is empty.
    let dates = [day(1, 5), day(11, 2), day(1, 9), day(4, 1), day(12, 31), day(2, 28)];
    let strata = Stratification::by_quarter(day(1, 1), day(12, 31), &dates).unwrap();
    let items = strata.select(6, &seed("12345")).unwrap();
    let positions: BTreeSet<u64> = items.iter().map(|item| strata.population_position(item).unwrap()).collect();
    assert_eq!(positions, (1..=6).collect());
    for item in &items {
        let position = strata.population_position(item).unwrap();
        let date = dates[(position - 1) as usize];
        assert_eq!(quarter_label(date), item.stratum);
    }
}

// ---------------------------------------------------------------------------------------------
// Extension and large populations

#[test]
fn extension_continues_the_spec_vector_without_changing_its_ten_items() {
    let first = select_random(1000, 10, &seed("12345")).unwrap();
    let added = extend_random(1000, &seed("12345"), 10, 25).unwrap();
    let whole = select_random(1000, 25, &seed("12345")).unwrap();
    assert_eq!(added.len(), 15);
    assert_eq!(whole[..10], first[..]);
    assert_eq!(whole[10..], added[..]);
}

#[test]
fn a_random_draw_of_the_whole_population_is_a_permutation() {
    let positions = select_random(500, 500, &seed("whole")).unwrap();
    let distinct: BTreeSet<u64> = positions.iter().copied().collect();
    assert_eq!(distinct, (1..=500).collect());
}

#[test]
fn sixty_items_from_ten_million_are_distinct_and_within_the_population() {
    let positions = select_random(10_000_000, 60, &seed("2026 year-end")).unwrap();
    let distinct: BTreeSet<u64> = positions.iter().copied().collect();
    assert_eq!(distinct.len(), 60);
    assert!(positions.iter().all(|&p| (1..=10_000_000).contains(&p)));
}

#[test]
fn the_seed_is_kept_exactly_as_typed() {
    let plain = select_random(1000, 10, &seed("12345")).unwrap();
    for variant in [" 12345", "12345 ", "12345\n"] {
        assert_ne!(select_random(1000, 10, &seed(variant)).unwrap(), plain, "{variant:?}");
    }
    assert_eq!(seed(" 12345").as_str(), " 12345");
}

#[test]
fn a_proposed_seed_is_twenty_decimal_digits_from_the_callers_generator() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let first = Seed::propose(&mut rng);
    assert_eq!(first.as_str().len(), 20);
    assert!(first.as_str().bytes().all(|b| b.is_ascii_digit()));
    assert_ne!(Seed::propose(&mut rng), first);
    let mut again = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    assert_eq!(Seed::propose(&mut again), first);
}

#[test]
fn only_random_samples_can_be_extended() {
    assert!(Method::Random.check_extensible().is_ok());
    for method in [Method::Systematic, Method::Stratified] {
        let message = method.check_extensible().unwrap_err().to_string();
        assert!(message.contains("cannot be extended"), "{message}");
        assert!(message.contains(SPEC_VERSION), "{message}");
    }
    assert_eq!(
        extend_random(100, &seed("1"), 10, 10),
        Err(SamplingError::ExtensionNotLarger { already: 10, requested: 10 })
    );
}

// ---------------------------------------------------------------------------------------------
// AICPA Audit Sampling Guide, Appendix A

/// A transcribed table: column headers, then each row's label and cells, `#` lines skipped.
struct Table {
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
}

fn read_table(name: &str) -> Table {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data", name].iter().collect();
    let text = std::fs::read_to_string(&path).expect("table file is readable");
    let mut lines = text.lines().filter(|line| !line.starts_with('#'));
    let header = lines.next().expect("a header line");
    let columns = header.split(',').skip(1).map(str::to_string).collect();
    let rows = lines
        .map(|line| {
            let mut cells = line.split(',').map(str::to_string);
            let label = cells.next().expect("a row label");
            (label, cells.collect())
        })
        .collect();
    Table { columns, rows }
}

/// Guide cells that the guide's own rule contradicts: (expected, tolerable, printed, correct).
/// See `aicpa_table_a2_prints_112_where_its_own_risk_of_overreliance_needs_113`.
const TABLE_A2_ERRATA: [(&str, &str, u64, u64); 2] = [("3.25%", "7%", 112, 113), ("3.50%", "7%", 112, 113)];

/// Checks every cell of a sample-size table; returns (sizes checked, stars checked).
fn check_size_table(name: &str, conf: &str, errata: &[(&str, &str, u64, u64)]) -> (usize, usize) {
    let table = read_table(name);
    let (mut sizes, mut stars) = (0, 0);
    for (exp, cells) in &table.rows {
        assert_eq!(cells.len(), table.columns.len(), "row {exp} of {name}");
        for (tol, cell) in table.columns.iter().zip(cells) {
            let plan = binomial_plan(conf, tol, exp);
            let at = format!("{name}, expected {exp}, tolerable {tol}");
            match cell.as_str() {
                // Not transcribed: see the file's header.
                "" => {}
                "*" => {
                    stars += 1;
                    assert!(plan.impractical, "{at}: the guide prints *, got {plan:?}");
                    assert!(plan.sample_size.is_none_or(|n| n > IMPRACTICAL_ABOVE), "{at}: {plan:?}");
                }
                printed => {
                    sizes += 1;
                    let printed: u64 = printed.parse().expect("a sample size");
                    let correct = errata
                        .iter()
                        .find(|(e, t, p, _)| e == exp && t == tol && *p == printed)
                        .map_or(printed, |&(_, _, _, correct)| correct);
                    assert_eq!(plan.sample_size, Some(correct), "{at}");
                    assert!(!plan.impractical, "{at}");
                    assert_eq!(plan.allowed_deviations, expected(exp).ceil_mul(correct), "{at}");
                }
            }
        }
    }
    (sizes, stars)
}

#[test]
fn binomial_sample_sizes_match_aicpa_table_a1_at_5_percent_risk_of_overreliance() {
    let (sizes, stars) = check_size_table("aicpa_table_a1.csv", "0.95", &[]);
    // 26 expected rates × 11 tolerable rates, all transcribed: 194 sizes and 92 stars.
    assert_eq!((sizes, stars), (194, 92));
}

#[test]
fn binomial_sample_sizes_match_aicpa_table_a2_at_10_percent_risk_of_overreliance() {
    let (sizes, stars) = check_size_table("aicpa_table_a2.csv", "0.90", &TABLE_A2_ERRATA);
    // One cell (tolerable 5%, expected 3.5%) is not transcribed: its source is contradictory.
    assert_eq!((sizes, stars), (197, 88));
}

#[test]
fn aicpa_table_a2_prints_112_where_its_own_risk_of_overreliance_needs_113() {
    // Both cells allow ceil(112 × 3.25%) = ceil(112 × 3.5%) = 4 deviations. With 4 deviations in
    // 112 items the upper limit at 90% confidence is above 7% — the guide's own Table A-4 logic
    // rejects the size it prints — while 113 items keep it below. jfa reports the same cells.
    for (exp, tol, printed, correct) in TABLE_A2_ERRATA {
        let allowed = expected(exp).ceil_mul(printed);
        assert_eq!(allowed, 4);
        let at_printed =
            evaluate(printed, allowed, confidence("0.90"), Some(tolerable(tol)), Distribution::Binomial).unwrap();
        assert_eq!(at_printed.exceeds_tolerable, Some(true), "{exp}");
        assert!(at_printed.upper_deviation_limit > 0.07);
        let at_correct =
            evaluate(correct, allowed, confidence("0.90"), Some(tolerable(tol)), Distribution::Binomial).unwrap();
        assert_eq!(at_correct.exceeds_tolerable, Some(false), "{exp}");
    }
}

fn check_limit_table(name: &str, conf: &str) -> usize {
    let table = read_table(name);
    let mut checked = 0;
    for (size, cells) in &table.rows {
        let n: u64 = size.parse().expect("a sample size");
        for (deviations, cell) in table.columns.iter().zip(cells) {
            let k: u64 = deviations.parse().expect("a number of deviations");
            // "20.5" → 205 tenths of a percent, without going through f64.
            let (whole, tenth) = cell.split_once('.').expect("one decimal place");
            let printed = TenthsOfPercent(format!("{whole}{tenth}").parse().expect("digits"));
            let evaluation = evaluate(n, k, confidence(conf), None, Distribution::Binomial).unwrap();
            assert_eq!(
                evaluation.upper_deviation_limit_display, printed,
                "{name}: n = {n}, k = {k}, exact limit {}",
                evaluation.upper_deviation_limit
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn upper_deviation_limits_match_aicpa_table_a3_at_5_percent_risk_of_overreliance() {
    assert_eq!(check_limit_table("aicpa_table_a3.csv", "0.95"), 21 * 11);
}

#[test]
fn upper_deviation_limits_match_aicpa_table_a4_at_10_percent_risk_of_overreliance() {
    assert_eq!(check_limit_table("aicpa_table_a4.csv", "0.90"), 21 * 11);
}

#[test]
fn upper_limits_next_to_a_rounding_edge_round_by_the_exact_value() {
    // With no deviation the limit has the closed form 1 − risk^(1/n). These cells sit within
    // 1e-5 of a tenth-of-a-percent edge, where rounding the solved f64 would be fragile.
    for (n, conf, risk, printed) in [
        (50, "0.90", 0.10_f64, 46), // 4.50074%: just above 4.5%, so 4.6%
        (55, "0.90", 0.10, 42),     // 4.10009%
        (55, "0.95", 0.05, 54),     // 5.30011%
    ] {
        let closed_form = 1.0 - risk.powf(1.0 / n as f64);
        let evaluation = evaluate(n, 0, confidence(conf), None, Distribution::Binomial).unwrap();
        assert!((evaluation.upper_deviation_limit - closed_form).abs() < 1e-12, "n = {n}");
        assert_eq!(evaluation.upper_deviation_limit_display, TenthsOfPercent(printed));
    }
}

// ---------------------------------------------------------------------------------------------
// Planning

#[test]
fn anchor_cells_5_percent_tolerable_need_59_or_93_items_at_95_percent_and_45_at_90_percent() {
    let none_expected = binomial_plan("0.95", "0.05", "0");
    assert_eq!((none_expected.sample_size, none_expected.allowed_deviations), (Some(59), 0));
    let one_percent = binomial_plan("95%", "5%", "1%");
    assert_eq!((one_percent.sample_size, one_percent.allowed_deviations), (Some(93), 1));
    assert_eq!(binomial_plan("0.90", "0.05", "0").sample_size, Some(45));
}

#[test]
fn the_basis_is_one_sentence_for_the_workpaper() {
    assert_eq!(
        binomial_plan("0.95", "0.05", "0.01").basis,
        "Binomial attribute sampling: 95% confidence, 5% tolerable deviation rate, 1% expected deviation rate; up to 1 deviation allowed."
    );
    assert_eq!(
        binomial_plan("0.90", "0.05", "0").basis,
        "Binomial attribute sampling: 90% confidence, 5% tolerable deviation rate, 0% expected deviation rate; no deviation allowed."
    );
    let plan = plan_attribute(
        confidence("0.95"),
        tolerable("0.05"),
        expected("0.0175"),
        Distribution::Hypergeometric { population: 1200 },
    )
    .unwrap();
    assert!(plan.basis.starts_with(
        "Hypergeometric attribute sampling (population of 1200 items): 95% confidence, 5% tolerable deviation rate, 1.75% expected deviation rate; up to "
    ), "{}", plan.basis);
}

#[test]
fn expected_rate_at_or_above_tolerable_plans_no_size_instead_of_failing() {
    for exp in ["0.05", "0.06"] {
        let plan = binomial_plan("0.95", "0.05", exp);
        assert_eq!(plan.sample_size, None);
        assert!(plan.impractical);
        assert!(plan.basis.contains("no sample size exists"), "{}", plan.basis);
    }
    let json = serde_json::to_value(binomial_plan("0.95", "0.05", "0.05")).unwrap();
    assert_eq!(json["sample_size"], serde_json::Value::Null);
    assert_eq!(json["distribution"], "binomial");
}

#[test]
fn planning_gives_up_past_ten_thousand_items_with_a_reason() {
    // 2% tolerable with 1.9% expected would need far more than 10,000 items.
    let plan = binomial_plan("0.95", "0.02", "0.019");
    assert_eq!(plan.sample_size, None);
    assert!(plan.impractical);
    assert!(plan.basis.contains("no sample of up to 10000 items"), "{}", plan.basis);
}

#[test]
fn sizes_above_two_thousand_are_flagged_impractical_like_the_guides_stars() {
    let plan = binomial_plan("0.95", "0.02", "0.015");
    let size = plan.sample_size.unwrap();
    assert!(size > 2000, "{size}");
    assert!(plan.impractical);
    assert!(plan.basis.contains("seldom cost-effective"), "{}", plan.basis);
}

/// `C(n, k)` exactly; every intermediate is `C(n, i+1) × (i+1)`, so it fits for n ≤ 128.
fn choose(n: u128, k: u128) -> u128 {
    (0..k).fold(1, |c, i| c * (n - i) / (i + 1))
}

/// The smallest n with P(no deviation in n | N, K) = C(N−K, n) / C(N, n) < 1/20, in exact
/// integer arithmetic.
fn exact_zero_deviation_size(population: u128, deviations: u128) -> u64 {
    (1..=population)
        .find(|&n| 20 * choose(population - deviations, n) < choose(population, n))
        .map(|n| n as u64)
        .expect("the whole population always decides")
}

#[test]
fn hypergeometric_sizes_shrink_for_small_populations_and_reach_binomial_for_large_ones() {
    for population in [20u64, 40, 60, 100, 120] {
        let deviations = tolerable("0.05").ceil_mul(population);
        let plan = plan_attribute(
            confidence("0.95"),
            tolerable("0.05"),
            expected("0"),
            Distribution::Hypergeometric { population },
        )
        .unwrap();
        assert_eq!(
            plan.sample_size,
            Some(exact_zero_deviation_size(population.into(), deviations.into())),
            "N = {population}"
        );
        assert!(plan.sample_size.unwrap() <= 59);
    }
    for population in [500, 2000, 20_000] {
        let plan = plan_attribute(
            confidence("0.95"),
            tolerable("0.05"),
            expected("0.01"),
            Distribution::Hypergeometric { population },
        )
        .unwrap();
        assert!(plan.sample_size.unwrap() <= 93, "N = {population}: {plan:?}");
    }
    for (exp, binomial) in [("0", 59), ("0.01", 93), ("0.02", 181), ("0.03", 361)] {
        let plan = plan_attribute(
            confidence("0.95"),
            tolerable("0.05"),
            expected(exp),
            Distribution::Hypergeometric { population: 10_000_000 },
        )
        .unwrap();
        assert_eq!(plan.sample_size, Some(binomial), "expected {exp}");
    }
}

#[test]
fn poisson_sizes_are_never_below_the_binomial_ones() {
    for (tol, exp) in [("0.05", "0"), ("0.05", "0.01"), ("0.1", "0.03"), ("0.02", "0.005")] {
        let binomial = binomial_plan("0.95", tol, exp).sample_size.unwrap();
        let poisson = plan_attribute(confidence("0.95"), tolerable(tol), expected(exp), Distribution::Poisson)
            .unwrap()
            .sample_size
            .unwrap();
        assert!(poisson >= binomial, "{tol}/{exp}: {poisson} < {binomial}");
    }
    // ln(20) / 5% = 59.9: the Poisson size for no deviation is 60.
    let plan = plan_attribute(confidence("0.95"), tolerable("0.05"), expected("0"), Distribution::Poisson).unwrap();
    assert_eq!(plan.sample_size, Some(60));
}

#[test]
fn the_firm_frequency_table_picks_the_lower_or_higher_end_by_risk() {
    let table = FrequencyTable::firm_default();
    let expected_sizes = [
        (Frequency::Annual, 1, 1),
        (Frequency::Quarterly, 2, 2),
        (Frequency::Monthly, 2, 5),
        (Frequency::Weekly, 5, 15),
        (Frequency::Daily, 20, 40),
        (Frequency::MultipleDaily, 25, 60),
    ];
    for (frequency, lower, higher) in expected_sizes {
        assert_eq!(table.size(frequency, Risk::Lower), Ok(lower), "{frequency}");
        assert_eq!(table.size(frequency, Risk::Higher), Ok(higher), "{frequency}");
    }
    let plan = table.plan(Frequency::Daily, Risk::Higher).unwrap();
    assert_eq!(plan.sample_size, Some(40));
    assert_eq!(plan.distribution, None);
    assert_eq!(
        plan.basis,
        "Firm frequency table: daily control, higher risk of failure; 40 items (table range 20–40); no deviation expected."
    );
}

#[test]
fn event_driven_controls_have_no_row_and_say_why() {
    let error = FrequencyTable::firm_default().size(Frequency::EventDriven, Risk::Lower).unwrap_err();
    assert_eq!(
        error.to_string(),
        "event-driven controls have no row in the frequency table: their sample size comes from the population of events"
    );
}

#[test]
fn an_edited_frequency_table_round_trips_through_json_and_refuses_bad_rows() {
    let edited =
        FrequencyTable::new([(Frequency::Monthly, SizeRange::new(3, 6)), (Frequency::Daily, SizeRange::new(25, 45))])
            .unwrap();
    let json = serde_json::to_string(&edited).unwrap();
    assert_eq!(json, r#"{"monthly":{"lower":3,"higher":6},"daily":{"lower":25,"higher":45}}"#);
    let back: FrequencyTable = serde_json::from_str(&json).unwrap();
    assert_eq!(back, edited);
    let backwards = r#"{"weekly":{"lower":15,"higher":5}}"#;
    let error = serde_json::from_str::<FrequencyTable>(backwards).unwrap_err();
    assert!(error.to_string().contains("weekly controls 15 to 5 items"), "{error}");
    let event_row = r#"{"event-driven":{"lower":1,"higher":2}}"#;
    assert!(serde_json::from_str::<FrequencyTable>(event_row).is_err());
}

#[test]
fn a_test_of_one_records_its_rationale() {
    let plan = Plan::test_of_one("  Configuration of the three-way match tested; ITGCs effective.  ").unwrap();
    assert_eq!(plan.sample_size, Some(1));
    assert_eq!(
        plan.basis,
        "Test of one for an automated control: Configuration of the three-way match tested; ITGCs effective."
    );
    assert_eq!(Plan::test_of_one(" \n"), Err(SamplingError::MissingRationale));
}

// ---------------------------------------------------------------------------------------------
// Evaluation

#[test]
fn an_evaluation_gives_rate_limit_and_the_comparison_with_the_tolerable_rate() {
    let evaluation = evaluate(60, 1, confidence("0.95"), Some(tolerable("0.08")), Distribution::Binomial).unwrap();
    assert!((evaluation.deviation_rate - 1.0 / 60.0).abs() < 1e-15);
    // Table A-3: 60 items, 1 deviation, 5% risk → 7.7%.
    assert_eq!(evaluation.upper_deviation_limit_display, TenthsOfPercent(77));
    assert_eq!(evaluation.exceeds_tolerable, Some(false));
    let json = serde_json::to_value(&evaluation).unwrap();
    assert_eq!(json["upper_deviation_limit_display"], "7.7%");
    assert_eq!(json["exceeds_tolerable"], serde_json::Value::Bool(false));
    let stricter = evaluate(60, 1, confidence("0.95"), Some(tolerable("0.07")), Distribution::Binomial).unwrap();
    assert_eq!(stricter.exceeds_tolerable, Some(true));
    let without = evaluate(60, 1, confidence("0.95"), None, Distribution::Binomial).unwrap();
    assert_eq!(without.exceeds_tolerable, None);
}

#[test]
fn a_sample_of_only_deviations_has_a_limit_of_one_hundred_percent() {
    for distribution in
        [Distribution::Binomial, Distribution::Poisson, Distribution::Hypergeometric { population: 100 }]
    {
        let evaluation = evaluate(5, 5, confidence("0.95"), Some(tolerable("0.5")), distribution).unwrap();
        assert_eq!(evaluation.upper_deviation_limit_display, TenthsOfPercent(1000));
        assert_eq!(evaluation.exceeds_tolerable, Some(true), "{distribution}");
    }
}

#[test]
fn the_poisson_limit_with_no_deviation_is_ln_one_over_risk_per_item() {
    let evaluation = evaluate(100, 0, confidence("0.95"), None, Distribution::Poisson).unwrap();
    // −ln(0.05)/100 = 2.9957%.
    assert!((evaluation.upper_deviation_limit - 20f64.ln() / 100.0).abs() < 1e-12);
    assert_eq!(evaluation.upper_deviation_limit_display, TenthsOfPercent(30));
}

#[test]
fn the_hypergeometric_limit_is_the_smallest_count_of_deviations_the_sample_rules_out() {
    // N = 100, n = 45, no deviation: the smallest K with C(100−K, 45)/C(100, 45) ≤ 5% is 5
    // (exact_zero_deviation_size(100, 5) = 45 and the size for K = 4 is larger).
    assert_eq!(exact_zero_deviation_size(100, 5), 45);
    assert!(exact_zero_deviation_size(100, 4) > 45);
    let evaluation =
        evaluate(45, 0, confidence("0.95"), Some(tolerable("0.05")), Distribution::Hypergeometric { population: 100 })
            .unwrap();
    assert!((evaluation.upper_deviation_limit - 0.05).abs() < 1e-15);
    assert_eq!(evaluation.upper_deviation_limit_display, TenthsOfPercent(50));
    // K = 5 is ruled out, so every plausible count (at most 4) is below 5 of 100.
    assert_eq!(evaluation.exceeds_tolerable, Some(false));
    // With a population far larger than the sample, the limit is the binomial one.
    let huge =
        evaluate(93, 1, confidence("0.95"), None, Distribution::Hypergeometric { population: 100_000_000 }).unwrap();
    let binomial = evaluate(93, 1, confidence("0.95"), None, Distribution::Binomial).unwrap();
    assert_eq!(huge.upper_deviation_limit_display, binomial.upper_deviation_limit_display);
}

#[test]
fn exact_ties_with_the_risk_are_decided_as_exact_arithmetic_would() {
    // 1 deviation among 20 items: a sample of 19 misses it with probability exactly 1/20, which
    // is not below a 5% risk, so planning needs all 20; and finding none in 19 rules out K = 1
    // exactly (P = 5% ≤ 5%), so the limit is 1/20 and a 5% tolerable rate is not exceeded.
    let plan = plan_attribute(
        confidence("0.95"),
        tolerable("0.05"),
        expected("0"),
        Distribution::Hypergeometric { population: 20 },
    )
    .unwrap();
    assert_eq!(plan.sample_size, Some(20));
    let evaluation =
        evaluate(19, 0, confidence("0.95"), Some(tolerable("0.05")), Distribution::Hypergeometric { population: 20 })
            .unwrap();
    assert_eq!(evaluation.upper_deviation_limit_display, TenthsOfPercent(50));
    assert_eq!(evaluation.exceeds_tolerable, Some(false));
    // One item, no deviation, 95% confidence: the limit is exactly 95%, shown as 95.0%, and it
    // does not exceed a 95% tolerable rate.
    let one = evaluate(1, 0, confidence("0.95"), Some(tolerable("0.95")), Distribution::Binomial).unwrap();
    assert_eq!(one.upper_deviation_limit_display, TenthsOfPercent(950));
    assert_eq!(one.exceeds_tolerable, Some(false));
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[test]
fn a_sample_larger_than_the_population_is_refused_with_both_numbers() {
    let error = select_random(60, 70, &seed("1")).unwrap_err();
    assert_eq!(error.to_string(), "sample size 70 is larger than the population (60 items)");
    assert_eq!(select_systematic(60, 70, &seed("1")).unwrap_err(), error);
    assert!(matches!(
        select_stratified(&spec_quarters(), 1001, &seed("1")),
        Err(SamplingError::SampleLargerThanPopulation { size: 1001, population: 1000 })
    ));
    assert!(matches!(
        evaluate(70, 0, confidence("0.95"), None, Distribution::Hypergeometric { population: 60 }),
        Err(SamplingError::SampleLargerThanPopulation { .. })
    ));
}

#[test]
fn a_zero_sample_size_is_refused() {
    assert_eq!(select_random(60, 0, &seed("1")), Err(SamplingError::ZeroSampleSize));
    assert_eq!(select_systematic(60, 0, &seed("1")), Err(SamplingError::ZeroSampleSize));
    assert_eq!(select_stratified(&spec_quarters(), 0, &seed("1")), Err(SamplingError::ZeroSampleSize));
    assert!(matches!(
        evaluate(0, 0, confidence("0.95"), None, Distribution::Binomial),
        Err(SamplingError::ZeroSampleSize)
    ));
}

#[test]
fn an_empty_population_is_refused() {
    assert_eq!(select_random(0, 1, &seed("1")), Err(SamplingError::EmptyPopulation));
    assert_eq!(select_systematic(0, 1, &seed("1")), Err(SamplingError::EmptyPopulation));
    assert_eq!(select_stratified(&[Stratum::new("2026-Q1", 0)], 1, &seed("1")), Err(SamplingError::EmptyPopulation));
    assert!(RandomDraw::new(0, &seed("1")).is_err());
    assert_eq!(
        plan_attribute(
            confidence("0.95"),
            tolerable("0.05"),
            expected("0"),
            Distribution::Hypergeometric { population: 0 }
        ),
        Err(SamplingError::EmptyPopulation)
    );
}

#[test]
fn a_seed_of_129_characters_is_refused_and_128_accepted_counting_characters_not_bytes() {
    let error = Seed::new("7".repeat(129)).unwrap_err();
    assert_eq!(error.to_string(), "the seed is 129 characters; at most 128 are allowed");
    // 128 two-byte characters are 256 bytes, still 128 characters.
    assert!(Seed::new("Ä".repeat(128)).is_ok());
    assert_eq!(Seed::new("Ä".repeat(129)), Err(SamplingError::SeedTooLong { chars: 129 }));
    assert_eq!(Seed::new(""), Err(SamplingError::EmptySeed));
    assert!(serde_json::from_str::<Seed>(&format!("\"{}\"", "7".repeat(129))).is_err());
}

#[test]
fn rates_outside_zero_and_one_are_refused_with_the_kind_of_rate() {
    assert_eq!(
        Rate::tolerable("0").unwrap_err().to_string(),
        "the tolerable deviation rate (0) must be above 0% and below 100%"
    );
    assert_eq!(
        Rate::expected("100%").unwrap_err().to_string(),
        "the expected deviation rate (100%) must be at least 0% and below 100%"
    );
    assert!(Rate::confidence("1.0").is_err());
    assert!(Rate::confidence("-0.95").is_err());
    assert_eq!(
        Rate::tolerable("five percent").unwrap_err().to_string(),
        "the tolerable deviation rate \"five percent\" is not a rate: write a decimal such as 0.05 or a percentage such as 5%"
    );
    // A zero expected rate is fine; a zero rate cannot stand in for a confidence or tolerable one.
    let zero = expected("0");
    assert!(matches!(
        plan_attribute(zero, tolerable("0.05"), zero, Distribution::Binomial),
        Err(SamplingError::RateOutOfRange { kind: RateKind::Confidence, .. })
    ));
    assert!(matches!(
        evaluate(10, 0, confidence("0.9"), Some(zero), Distribution::Binomial),
        Err(SamplingError::RateOutOfRange { kind: RateKind::Tolerable, .. })
    ));
}

#[test]
fn a_caller_that_needs_a_size_gets_the_reason_there_is_none_as_a_sentence() {
    assert_eq!(
        binomial_plan("0.95", "0.05", "0.05").required_size().unwrap_err().to_string(),
        "the expected deviation rate (5%) must be below the tolerable rate (5%): no sample size exists"
    );
    assert_eq!(
        binomial_plan("0.95", "0.02", "0.019").required_size(),
        Err(SamplingError::NoPracticalSize { limit: MAX_PLANNED_SIZE })
    );
    assert_eq!(binomial_plan("0.95", "0.05", "0.01").required_size(), Ok(93));
}

#[test]
fn more_deviations_than_items_are_refused() {
    assert_eq!(
        evaluate(10, 11, confidence("0.95"), None, Distribution::Binomial).unwrap_err().to_string(),
        "11 deviations cannot be found in a sample of 10 items"
    );
}

#[test]
fn names_from_the_command_line_parse_or_say_what_is_expected() {
    assert_eq!("Stratified".parse::<Method>(), Ok(Method::Stratified));
    assert_eq!("higher".parse::<Risk>(), Ok(Risk::Higher));
    assert_eq!(Distribution::from_name("poisson", None), Ok(Distribution::Poisson));
    assert_eq!(
        Distribution::from_name("hypergeometric", Some(500)),
        Ok(Distribution::Hypergeometric { population: 500 })
    );
    assert_eq!(Distribution::from_name("hypergeometric", None), Err(SamplingError::PopulationSizeRequired));
    assert!(Distribution::from_name("normal", None).is_err());
    assert_eq!(
        select_stratified(&[Stratum::new("A", 5), Stratum::new("A", 5)], 2, &seed("1")),
        Err(SamplingError::DuplicateStratum { label: "A".to_string() })
    );
}

// ---------------------------------------------------------------------------------------------
// Properties

fn seed_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[0-9A-Za-zÄé -]{1,40}").expect("a valid regex")
}

proptest! {
    #[test]
    fn extension_keeps_the_items_already_drawn(
        population in 1u64..3000,
        first in 1u64..200,
        more in 1u64..200,
        text in seed_text(),
    ) {
        let n = first.min(population);
        let n2 = (n + more).min(population);
        prop_assume!(n2 > n);
        let seed = seed(&text);
        let before = select_random(population, n, &seed).unwrap();
        let added = extend_random(population, &seed, n, n2).unwrap();
        let whole = select_random(population, n2, &seed).unwrap();
        prop_assert_eq!(&whole[..before.len()], &before[..]);
        prop_assert_eq!(&whole[before.len()..], &added[..]);
    }

    #[test]
    fn random_positions_never_repeat_and_stay_within_the_population(
        population in 1u64..1_000_000_000_000,
        size in 1u64..300,
        text in seed_text(),
    ) {
        let size = size.min(population);
        let positions = select_random(population, size, &seed(&text)).unwrap();
        prop_assert_eq!(positions.len() as u64, size);
        let distinct: BTreeSet<u64> = positions.iter().copied().collect();
        prop_assert_eq!(distinct.len(), positions.len());
        prop_assert!(positions.iter().all(|&p| (1..=population).contains(&p)));
    }

    #[test]
    fn systematic_positions_are_evenly_spaced_within_the_population(
        population in 1u64..100_000,
        size in 1u64..500,
        text in seed_text(),
    ) {
        let size = size.min(population);
        let positions = select_systematic(population, size, &seed(&text)).unwrap();
        let interval = population / size;
        prop_assert!((1..=interval).contains(&positions[0]));
        prop_assert!(positions.windows(2).all(|w| w[1] - w[0] == interval));
        prop_assert!(*positions.last().unwrap() <= population);
    }

    #[test]
    fn allocation_sums_to_n_and_covers_every_non_empty_stratum_when_n_reaches_their_count(
        sizes in proptest::collection::vec(0u64..500, 1..16),
        fraction in 0.0f64..=1.0,
    ) {
        let total: u64 = sizes.iter().sum();
        let n = (total as f64 * fraction).floor() as u64;
        let shares = allocate(&sizes, n).unwrap();
        prop_assert_eq!(shares.iter().sum::<u64>(), n);
        prop_assert!(shares.iter().zip(&sizes).all(|(share, size)| share <= size));
        let non_empty = sizes.iter().filter(|&&s| s > 0).count() as u64;
        if n >= non_empty {
            prop_assert!(shares.iter().zip(&sizes).all(|(&share, &size)| size == 0 || share >= 1));
        }
    }

    #[test]
    fn stratified_items_are_distinct_and_within_their_strata(
        sizes in proptest::collection::vec(0u64..300, 1..10),
        fraction in 0.0f64..=1.0,
        text in seed_text(),
    ) {
        let total: u64 = sizes.iter().sum();
        let n = (total as f64 * fraction).floor() as u64;
        prop_assume!(n >= 1);
        let strata: Vec<Stratum> = sizes
            .iter()
            .enumerate()
            .map(|(h, &size)| Stratum::new(format!("S{h:02}"), size))
            .collect();
        let items = select_stratified(&strata, n, &seed(&text)).unwrap();
        prop_assert_eq!(items.len() as u64, n);
        let distinct: BTreeSet<(usize, u64)> =
            items.iter().map(|i| (i.stratum_index, i.position_in_stratum)).collect();
        prop_assert_eq!(distinct.len(), items.len());
        for item in &items {
            prop_assert!((1..=sizes[item.stratum_index]).contains(&item.position_in_stratum));
        }
        prop_assert!(items.windows(2).all(|w| w[0].stratum_index <= w[1].stratum_index));
    }
}

#[test]
fn a_replacement_within_a_stratum_continues_that_strata_stream() {
    // One stratum gets every item, so its first 4 draws are the selection of 4; a replacement
    // after 3 must be the 4th (SAMPLING-SPEC §3 and §5).
    let values = vec!["x"; 300];
    let strata = Stratification::by_column(&values);
    let seed = Seed::new("12345").unwrap();
    let four = strata.select(4, &seed).unwrap();
    let fourth = strata.population_position(&four[3]).unwrap();
    assert_eq!(strata.extend_stratum("x", &seed, 3, 1).unwrap(), vec![fourth]);
    assert!(strata.extend_stratum("y", &seed, 3, 1).is_err());
    assert!(strata.extend_stratum("x", &seed, 300, 1).is_err(), "a stratum has no 301st item");
}

//! Golden files for the renderers: the Markdown, the terminal table, the SVG chart and the JSON
//! written for a fixed report must stay byte-identical unless a change means to alter them.
//! `UPDATE_GOLDEN=1 cargo test -p loadtest --test render` rewrites them after an intended change.

use std::path::{Path, PathBuf};

use loadtest::report::{Report, markdown, svg, table};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn check(name: &str, rendered: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, rendered).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert!(
        rendered == expected,
        "{name} differs from its golden file; rendered:\n{rendered}"
    );
}

fn renders_like_golden(fixture: &str) {
    let report = Report::load(&golden_dir().join(format!("{fixture}.report.json"))).unwrap();
    check(&format!("{fixture}.md"), &markdown(&report));
    check(&format!("{fixture}.txt"), &table(&report));
    check(&format!("{fixture}.svg"), &svg(&report));
    check(
        &format!("{fixture}.json"),
        &(serde_json::to_string_pretty(&report).unwrap() + "\n"),
    );
}

#[test]
fn full_report_renders_like_its_golden_files() {
    renders_like_golden("full");
}

#[test]
fn minimal_report_renders_like_its_golden_files() {
    renders_like_golden("minimal");
}

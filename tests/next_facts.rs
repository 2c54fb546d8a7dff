//! The Next.js facts (`extract`'s `next` section) of every page and payload in the
//! fixtures: build id, route pattern, concrete path, params, payload kind, version.
//!
//! Expected build ids were read by hand from the raw files (`grep '"b":"'`, the first
//! item of `0:[…]`); routes and paths come from each version's `captures.tsv`.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use next_rsc::extract::extract;
use next_rsc::next::NextFacts;
use next_rsc::next::response::ResponseKind;
use next_rsc::next::router::{PayloadKind, RouterKind};

fn facts(path: &Path) -> NextFacts {
    let bytes = std::fs::read(path).unwrap();
    extract(&bytes)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .next
}

/// (version folder, build id of the server build, build id of the static export)
const BUILDS: [(&str, &str, &str); 4] = [
    ("v13", "-vZJYp2Gm3mt4aoZdK9Y_", "u_cF966NPYdb3hWe9Zs3c"),
    ("v14", "M5oq-0YR0G5yBYgu-NAOz", "IBoVFIRURndv9-JV7iF0D"),
    ("v15", "pXIY7y7MxisPpv6H2QnCW", "viYjc6MpD3u7iWyd5RwEk"),
    ("v16", "dOJ9_UHNztZRhKcMxbSEm", "CqitFrPBj2pHTlogjyREQ"),
];

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "html" || e == "rsc" || e == "txt")
            && !path.to_string_lossy().contains("FILES")
            && path.file_name().is_some_and(|n| n != "actions.txt")
        {
            out.push(path);
        }
    }
}

/// The route pattern each captured fixture is a page of, by its name.
fn route_of(name: &str, version: &str) -> Option<&'static str> {
    let stem = name.split('.').next().unwrap();
    Some(match stem {
        "home" => "/",
        "about" => "/about",
        "post-hello" | "post-missing" => "/posts/[...slug]",
        // 13.5 renders an unmatched URL as the root page's not-found (`__PAGE__`).
        "not-found" if version == "v13" => "/",
        "not-found" => "/_not-found",
        "special" => "/special",
        "deep" => "/deep",
        "stream" => "/stream",
        "guestbook" | "action-form" | "action-form-nojs" => "/guestbook",
        // Action replies without a refreshed tree name no route.
        "action-ping" | "action-echo-bound" => return None,
        other => panic!("no expected route for fixture {other}"),
    })
}

#[test]
fn every_nextjs_fixture_reports_its_build_id_route_and_path() {
    let mut checked = 0;
    for (version, server_build, export_build) in BUILDS {
        let dir = common::fixtures().join("nextjs").join(version);
        let captures = std::fs::read_to_string(dir.join("captures.tsv")).unwrap();
        let url_of: HashMap<&str, &str> = captures
            .lines()
            .skip(1)
            .filter_map(|l| {
                let mut cols = l.split('\t');
                Some((cols.next()?, cols.next()?))
            })
            .collect();
        let mut files = Vec::new();
        files_under(&dir, &mut files);
        files.sort();
        for path in files {
            let relative = path
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .to_string();
            let got = facts(&path);
            let want_build = if relative.starts_with("export/") {
                export_build
            } else {
                server_build
            };
            assert_eq!(got.router, RouterKind::App, "{version}/{relative}");
            assert_eq!(
                got.build_id.as_deref(),
                Some(want_build),
                "{version}/{relative}"
            );
            if relative.contains('/') {
                // build/ and export/: prerendered routes, all with a route and a path.
                assert!(got.route.is_some() && got.path.is_some(), "{relative}");
            } else {
                let name = relative.as_str();
                assert_eq!(
                    got.route.as_deref(),
                    route_of(name, version),
                    "{version}/{name}"
                );
                let url = url_of[name];
                let path_is_the_url = !name.starts_with("not-found")
                    && !name.starts_with("action-")
                    || name.ends_with(".html") && (version == "v13" || version == "v14");
                if path_is_the_url {
                    assert_eq!(got.path.as_deref(), Some(url), "{version}/{name}");
                }
                if name.starts_with("action-") && !name.ends_with(".html") {
                    assert_eq!(got.payload, Some(PayloadKind::Action), "{version}/{name}");
                }
                if name.ends_with(".html") {
                    assert_eq!(got.payload, Some(PayloadKind::Document), "{version}/{name}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} fixtures checked");
}

#[test]
fn catch_all_params_are_lists_and_route_groups_stay_out_of_the_route() {
    for version in ["v13", "v14", "v15", "v16"] {
        let dir = common::fixtures().join("nextjs").join(version);
        let post = facts(&dir.join("post-hello.html"));
        assert_eq!(
            post.params["slug"],
            serde_json::json!(["hello"]),
            "{version}"
        );
        assert_eq!(post.dynamic_segments.len(), 1);
        let about = facts(&dir.join("about.html"));
        assert_eq!(about.route.as_deref(), Some("/about"), "{version}");
        assert!(
            serde_json::to_string(&about.router_tree)
                .unwrap()
                .contains("(static)"),
            "{version}: the tree keeps the group"
        );
    }
}

#[test]
fn the_version_is_told_from_the_payload_shape() {
    let want = [
        ("v13/home.html", "13.5"),
        ("v13/home.rsc", "13.5"),
        ("v14/home.html", "14.2"),
        ("v14/home.rsc", "14.x"),
        ("v15/home.html", "15.2–15.5"),
        ("v16/home.html", "16.4+"),
        ("v16/action-ping.rsc", "16.4+"),
    ];
    for (file, version) in want {
        let got = facts(&common::fixtures().join("nextjs").join(file));
        assert_eq!(got.version.as_deref(), Some(version), "{file}");
    }
}

#[test]
fn every_era_of_the_spec_examples() {
    // (file, build id, version, route, path)
    let want: [(&str, Option<&str>, &str, &str, &str); 16] = [
        ("next13.0.7_home.html", None, "13.0–13.1", "/", "/"),
        ("next13.0.7_home.rsc", None, "13.0–13.1", "/", "/"),
        (
            "next13.4.19_home.html",
            Some("79TZxc0w2RXgaiXliLfn1"),
            "13.4",
            "/",
            "/",
        ),
        (
            "next13.4.19_home.rsc",
            Some("79TZxc0w2RXgaiXliLfn1"),
            "13.4",
            "/",
            "/",
        ),
        (
            "next14.2.35_home.html",
            Some("hpzDuUshbwTnAKCjlXZJH"),
            "14.2",
            "/",
            "/",
        ),
        (
            "next14.2.35_home.rsc",
            Some("hpzDuUshbwTnAKCjlXZJH"),
            "14.x",
            "/",
            "/",
        ),
        (
            "next14.2.35_blog-hello_nav.rsc",
            Some("hpzDuUshbwTnAKCjlXZJH"),
            "14.x",
            "/blog/[slug]",
            "/blog/hello",
        ),
        (
            "next15.0.8_home.rsc",
            Some("ANjDFdgS6u7SCgo9W8RVy"),
            "15.0–15.1",
            "/",
            "/",
        ),
        (
            "next15.5.29_home.html",
            Some("fmdrRooxhXUGxjKM79CN3"),
            "15.2–15.5",
            "/",
            "/",
        ),
        (
            "next15.5.29_home.rsc",
            Some("fmdrRooxhXUGxjKM79CN3"),
            "15.2–15.5",
            "/",
            "/",
        ),
        (
            "next15.5.29_DEV_home.rsc",
            Some("development"),
            "15.2–15.5",
            "/",
            "/",
        ),
        (
            "next16.0.11_home.html",
            Some("XQEh8nhkUBOHKObYfpZQ0"),
            "16.0–16.3",
            "/",
            "/",
        ),
        (
            "next16.0.11_home.rsc",
            Some("XQEh8nhkUBOHKObYfpZQ0"),
            "16.0",
            "/",
            "/",
        ),
        (
            "next16.4.6_home.html",
            Some("gBEVNIYL3Uq4RHecKBc_I"),
            "16.4+",
            "/",
            "/",
        ),
        (
            "next16.4.6_home.rsc",
            Some("gBEVNIYL3Uq4RHecKBc_I"),
            "16.4+",
            "/",
            "/",
        ),
        (
            "next16.4.6_blog-hello_nav.rsc",
            Some("gBEVNIYL3Uq4RHecKBc_I"),
            "16.4+",
            "/blog/[slug]",
            "/blog/hello",
        ),
    ];
    for (file, build, version, route, path) in want {
        let got = facts(&common::fixtures().join("spec-examples").join(file));
        assert_eq!(got.build_id.as_deref(), build, "{file}");
        assert_eq!(got.version.as_deref(), Some(version), "{file}");
        assert_eq!(got.route.as_deref(), Some(route), "{file}");
        assert_eq!(got.path.as_deref(), Some(path), "{file}");
    }
}

#[test]
fn real_sites() {
    // (file, build id, route, path); see fixtures/sites/README.md.
    type Site = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    );
    let want: [Site; 11] = [
        (
            "njsparser__nextjs.org.html",
            Some("4mSOwJptzzPemGzzI8AOo"),
            Some("/"),
            Some("/"),
        ),
        (
            "njsparser__mintstars.com.html",
            Some("FFJkmZOVD5qpc5fKCwozf"),
            Some("/[username]"),
            Some("/allieeveknox"),
        ),
        (
            "njsparser__swag.live.html",
            Some("giz3a1H7OUzfxgxRHIdMx"),
            // The URL (urlParts) has no language: a middleware rewrote it.
            Some("/[lang]/user/[userId]"),
            Some("/user/624dc255c12744f2fdaf90c8"),
        ),
        (
            "njsparser__club.fans.html",
            Some("n2xbxZXkzoS6U5w7CgB-T"),
            Some("/[username]"),
            Some("/johannarayan69"),
        ),
        (
            "trusted-server__real-nextjs-home.html",
            Some("-0Lth74qNT2E7WJR76kUR"),
            Some("/"),
            Some("/"),
        ),
        (
            "trusted-server__real-nextjs-about.html",
            Some("-0Lth74qNT2E7WJR76kUR"),
            Some("/about"),
            Some("/about"),
        ),
        (
            "trusted-server__real-nextjs-blog.html",
            Some("-0Lth74qNT2E7WJR76kUR"),
            Some("/blog/[slug]"),
            Some("/blog/hello-world"),
        ),
        // Synthetic pages of another project's tests: flight, but no Next.js root.
        ("trusted-server__app-router-simple.html", None, None, None),
        ("trusted-server__app-router-large.html", None, None, None),
        (
            "trusted-server__inlined-data-escaped.html",
            None,
            None,
            None,
        ),
        ("trusted-server__inlined-data-nonce.html", None, None, None),
    ];
    for (file, build, route, path) in want {
        let got = facts(&common::fixtures().join("sites").join(file));
        assert_eq!(got.build_id.as_deref(), build, "{file}");
        assert_eq!(got.route.as_deref(), route, "{file}");
        assert_eq!(got.path.as_deref(), path, "{file}");
    }
    let swag = facts(&common::fixtures().join("sites/njsparser__swag.live.html"));
    assert_eq!(swag.search.as_deref(), Some("?lang=en"));
    assert_eq!(swag.asset_prefix.as_deref(), Some("/static"));
    assert!(
        swag.assets
            .js
            .iter()
            .any(|j| j.starts_with("/static/_next/static/chunks/")),
        "chunk files get the asset prefix: {:?}",
        swag.assets.js
    );
}

#[test]
fn the_pages_router_page_reports_its_next_data() {
    let got = facts(&common::fixtures().join("sites/njsparser__m.soundcloud.com.html"));
    assert_eq!(got.router, RouterKind::Pages);
    assert_eq!(got.build_id.as_deref(), Some("1733156665"));
    assert_eq!(got.route.as_deref(), Some("/"));
    assert!(got.assets.js.iter().any(|j| j.contains("/_next/static/")));
}

#[test]
fn non_next_pages_are_refused() {
    for file in ["njsparser__x.com.html", "trusted-server__non-rsc-page.html"] {
        let bytes = std::fs::read(common::fixtures().join("sites").join(file)).unwrap();
        assert!(
            matches!(extract(&bytes), Err(next_rsc::Error::NotNextPage)),
            "{file}"
        );
    }
}

#[test]
fn assets_come_from_hints_links_and_client_chunks() {
    let dir = common::fixtures().join("nextjs");
    let v14 = facts(&dir.join("v14/post-hello.rsc"));
    assert!(
        v14.assets
            .css
            .iter()
            .all(|c| c.starts_with("/_next/static/css/"))
    );
    assert_eq!(v14.assets.css.len(), 2);
    assert!(
        v14.assets
            .js
            .iter()
            .any(|j| j.starts_with("/_next/static/chunks/app/")),
        "{:?}",
        v14.assets.js
    );
    // 16.4 outlines chunk URLs into rows of their own.
    let v16 = facts(&dir.join("v16/home.rsc"));
    assert!(
        v16.assets
            .js
            .iter()
            .all(|j| j.starts_with("/_next/static/chunks/"))
    );
    // 13.0 names chunks without their folder or `.js`.
    let v13_0 = facts(&common::fixtures().join("spec-examples/next13.0.7_home.rsc"));
    assert!(
        v13_0
            .assets
            .js
            .contains(&"/_next/static/chunks/app/page-ad2a5a52865265a5.js".to_string()),
        "{:?}",
        v13_0.assets.js
    );
}

/// What each captured response is, by its name: every version's not-found pages, action
/// replies, prefetches of dynamic routes, per-segment payloads and pages.
fn response_of(name: &str, version: &str) -> ResponseKind {
    let stem = name.split('.').next().unwrap();
    match stem {
        // 13.5 answers a navigation to an unmatched URL with the not-found UI as the page's
        // content and nothing else that says so (only the HTTP status, 404, does).
        "not-found" if version == "v13" && name.contains("nav-from-home") => ResponseKind::Page,
        "post-missing" | "not-found" | "_not-found" | "does-not-exist" => ResponseKind::NotFound,
        "action-form" | "action-ping" | "action-echo-bound" => ResponseKind::Action,
        "_global-error" => ResponseKind::Error,
        // Dynamic routes answer a prefetch with the tree and the loading shell only.
        "guestbook" | "stream" if name.contains(".prefetch.") => ResponseKind::Prefetch,
        _ if name.contains("segment.") && !name.contains("_full.") => ResponseKind::Segment,
        _ if name.starts_with("__next.") && !name.contains("._full.") => ResponseKind::Segment,
        _ => ResponseKind::Page,
    }
}

#[test]
fn every_response_says_what_it_is() {
    let mut files = Vec::new();
    for (version, _, _) in BUILDS {
        let mut found = Vec::new();
        files_under(&common::fixtures().join("nextjs").join(version), &mut found);
        files.extend(found.into_iter().map(|f| (version, f)));
    }
    let mut seen = HashMap::new();
    for (version, path) in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let got = facts(&path);
        // A per-segment file (`x.segments/…`, 16.x export `x/__next.…`) is named after
        // its route by its folder; its `_full` payload is the whole page.
        let folder = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        let route = folder.strip_suffix(".segments").unwrap_or(&folder);
        let want = if name.contains("_full") && matches!(route, "_not-found" | "_global-error") {
            response_of(route, version)
        } else {
            response_of(&name, version)
        };
        assert_eq!(got.response.kind, want, "{}", path.display());
        *seen.entry(format!("{want:?}")).or_insert(0) += 1;
        if !want.is_page() {
            let x = extract(&std::fs::read(&path).unwrap()).unwrap();
            assert!(
                x.article.is_none(),
                "{}: not a page, no article",
                path.display()
            );
        }
    }
    // Every kind the fixtures hold was met.
    for kind in ["Page", "NotFound", "Action", "Prefetch", "Segment", "Error"] {
        assert!(seen.get(kind).copied().unwrap_or(0) > 0, "{kind}: {seen:?}");
    }
}

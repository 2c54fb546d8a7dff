//! `find`, `get` and `diff` against React's own trees: on every golden (React's canonical
//! tree of a fixture), the matches a plain walk of React's tree finds are exactly what
//! `Page::find` returns, `get` returns the value at each match's path, and a patch between
//! two routes of one build, applied to the first tree, gives the second.

mod common;

use next_rsc::Page;
use next_rsc::query::Query;
use serde_json::Value as Json;

/// The matches a plain recursive walk of React's tree finds: (pointer, value).
fn walk(
    value: &Json,
    path: &mut String,
    test: &dyn Fn(&Json) -> bool,
    out: &mut Vec<(String, Json)>,
) {
    if test(value) {
        out.push((path.clone(), value.clone()));
    }
    let len = path.len();
    match value {
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("/{i}"));
                walk(item, path, test, out);
                path.truncate(len);
            }
        }
        Json::Object(map) => {
            // Canonical order: keys sorted by their bytes.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for key in keys {
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                walk(&map[key], path, test, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

fn react_matches(tree: &Json, test: &dyn Fn(&Json) -> bool) -> Vec<(String, Json)> {
    let mut out = Vec::new();
    walk(tree, &mut String::new(), test, &mut out);
    out
}

/// React's tree of a golden, or `None` when it nests deeper than serde_json reads.
fn react_tree(golden: &std::path::Path) -> Option<Json> {
    serde_json::from_slice(&std::fs::read(golden).unwrap()).ok()
}

#[test]
fn find_returns_what_a_walk_of_reacts_tree_finds() {
    let has_keys = |keys: &'static [&'static str]| {
        move |v: &Json| {
            v.as_object()
                .is_some_and(|m| keys.iter().all(|k| m.contains_key(*k)))
        }
    };
    let host = |tag: &'static str| move |v: &Json| v.get("$el").and_then(Json::as_str) == Some(tag);
    let contains =
        |needle: &'static str| move |v: &Json| v.as_str().is_some_and(|s| s.contains(needle));
    let mut compared = 0;
    let mut matches = 0;
    for golden in common::goldens() {
        let Some(tree) = react_tree(&golden.golden) else {
            continue;
        };
        let page = match Page::parse(&std::fs::read(&golden.input).unwrap()) {
            Ok(page) => page,
            Err(_) => continue, // not a page (a bare value): nothing to query
        };
        type Test = Box<dyn Fn(&Json) -> bool>;
        let queries: Vec<(Query, Test)> = vec![
            (
                Query::keys(["href"]).unwrap(),
                Box::new(has_keys(&["href"])),
            ),
            (
                Query::keys(["children", "className"]).unwrap(),
                Box::new(has_keys(&["children", "className"])),
            ),
            (Query::element_type("a"), Box::new(host("a"))),
            (Query::element_type("meta"), Box::new(host("meta"))),
            (Query::text("the", false), Box::new(contains("the"))),
        ];
        for (query, test) in &queries {
            let ours: Vec<(String, Json)> = page
                .find(query)
                .unwrap()
                .into_iter()
                .map(|m| (m.path.clone(), serde_json::from_str(&m.value).unwrap()))
                .collect();
            let theirs = react_matches(&tree, test.as_ref());
            assert_eq!(
                ours.iter().map(|(p, _)| p).collect::<Vec<_>>(),
                theirs.iter().map(|(p, _)| p).collect::<Vec<_>>(),
                "{}: {query:?}",
                golden.golden.display()
            );
            assert!(
                ours == theirs,
                "{}: values differ for {query:?}",
                golden.golden.display()
            );
            // `get` returns the value at every match's path.
            for (path, value) in theirs.iter().take(20) {
                let got: Json = serde_json::from_str(&page.get(path).unwrap()).unwrap();
                assert_eq!(&got, value, "{}: get {path}", golden.golden.display());
            }
            matches += theirs.len();
            compared += 1;
        }
    }
    eprintln!("{compared} queries over React's trees, {matches} matches, all equal");
    assert!(
        compared >= 100 && matches >= 1000,
        "{compared} queries, {matches} matches"
    );
}

/// Applies an RFC 6902 patch (add, remove, replace) to a JSON value.
fn apply(mut doc: Json, patch: &[Json]) -> Json {
    for op in patch {
        let path = op["path"].as_str().unwrap();
        let (parent, last) = match path.rfind('/') {
            Some(at) => (
                &path[..at],
                path[at + 1..].replace("~1", "/").replace("~0", "~"),
            ),
            None => {
                doc = op["value"].clone();
                continue;
            }
        };
        let target = doc
            .pointer_mut(parent)
            .unwrap_or_else(|| panic!("no {parent}"));
        match (op["op"].as_str().unwrap(), target) {
            ("add", Json::Array(items)) => items.insert(last.parse().unwrap(), op["value"].clone()),
            ("remove", Json::Array(items)) => {
                items.remove(last.parse().unwrap());
            }
            ("replace", Json::Array(items)) => {
                items[last.parse::<usize>().unwrap()] = op["value"].clone()
            }
            ("add" | "replace", Json::Object(map)) => {
                map.insert(last, op["value"].clone());
            }
            ("remove", Json::Object(map)) => {
                map.remove(&last).unwrap();
            }
            (op, _) => panic!("{op} at {path}"),
        }
    }
    doc
}

#[test]
fn a_patch_between_two_routes_turns_one_into_the_other() {
    let mut pairs = 0;
    for version in ["v13", "v14", "v15", "v16"] {
        let dir = common::fixtures().join("nextjs").join(version);
        let routes = [
            "home",
            "about",
            "post-hello",
            "guestbook",
            "deep",
            "not-found",
        ];
        for (i, old) in routes.iter().enumerate() {
            let new = routes[(i + 1) % routes.len()];
            let read = |route: &str| {
                Page::parse(&std::fs::read(dir.join(format!("{route}.rsc"))).unwrap()).unwrap()
            };
            let (a, b) = (read(old), read(new));
            let Ok(patch) = a
                .diff(&b)
                .unwrap()
                .iter()
                .map(|op| serde_json::from_str(&op.to_json()))
                .collect::<Result<Vec<Json>, _>>()
            else {
                continue; // deeper than serde_json reads
            };
            let (Ok(first), Ok(second)) = (
                serde_json::from_slice::<Json>(&a.canonical_tree().unwrap()),
                serde_json::from_slice::<Json>(&b.canonical_tree().unwrap()),
            ) else {
                continue; // deeper than serde_json reads
            };
            assert_eq!(apply(first, &patch), second, "{version}: {old} -> {new}");
            let patch_size = serde_json::to_string(&patch).unwrap().len();
            let second_size = b.canonical_tree().unwrap().len();
            assert!(
                patch_size < second_size,
                "{version} {old} -> {new}: {patch_size} >= {second_size}"
            );
            // And the same page against itself: nothing.
            assert!(a.diff(&a).unwrap().is_empty());
            pairs += 1;
        }
    }
    // (Pairs with the `deep` route nest deeper than serde_json reads.)
    assert!(pairs >= 16, "{pairs} pairs");
}

#[test]
fn typed_extraction_keeps_what_fits_and_says_what_does_not() {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Link {
        href: String,
        children: Json,
    }
    let page =
        Page::parse(&std::fs::read(common::fixtures().join("nextjs/v16/post-hello.rsc")).unwrap())
            .unwrap();
    let found = page
        .find_as::<Link>(&Query::keys(["href"]).unwrap())
        .unwrap();
    assert!(found.values.len() >= 10);
    assert!(found.values.iter().any(|(_, l)| l.href == "/posts/hello"));
    // Stylesheet links have an href but no children.
    assert!(!found.skipped.is_empty());
    assert!(
        found
            .skipped
            .iter()
            .all(|(_, why)| why.contains("children"))
    );
}

#[test]
fn a_deep_match_serializes_as_the_value_it_is() {
    // 300 levels: past serde_json's own limit of 128, as a Next 13 layout's `childProp`
    // (which holds the whole page) often is.
    let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    let payload = format!("0:[\"$\",\"div\",null,{{\"data\":{deep}}}]\n");
    let page = Page::parse(payload.as_bytes()).unwrap();
    let matches = page.find(&Query::keys(["data"]).unwrap()).unwrap();
    assert_eq!(matches.len(), 1);
    let json = serde_json::to_string(&matches).unwrap();
    assert_eq!(
        json,
        format!("[{{\"path\":\"/root/props\",\"value\":{{\"data\":{deep}}}}}]")
    );
    // Deeper than the stack may safely take: an error that says where the value is, not
    // a string in its place.
    let deeper = format!("{}1{}", "[".repeat(1_200), "]".repeat(1_200));
    let payload = format!("0:[\"$\",\"div\",null,{{\"data\":{deeper}}}]\n");
    let matches = Page::parse(payload.as_bytes())
        .unwrap()
        .find(&Query::keys(["data"]).unwrap())
        .unwrap();
    assert_eq!(matches[0].value, format!("{{\"data\":{deeper}}}"));
    let error = serde_json::to_string(&matches).unwrap_err();
    assert!(error.to_string().contains("Match::value"), "{error}");
}

#[test]
fn nested_matches_are_bounded_not_quadratic() {
    // 3,000 nested divs: every match holds all the deeper ones, 27 GB in all unbounded.
    let depth = 3_000;
    let payload = format!(
        "0:{}null{}\n",
        "[\"$\",\"div\",null,{\"children\":".repeat(depth),
        "}]".repeat(depth)
    );
    let page = Page::parse(payload.as_bytes()).unwrap();
    let error = page.find(&Query::element_type("div")).unwrap_err();
    assert!(error.to_string().contains("the matches pass"), "{error}");
    // A narrower question still has its answer.
    let json = page.canonical_tree().unwrap();
    let tree = next_rsc::query::CanonicalTree::read(&json).unwrap();
    assert_eq!(tree.count(&Query::element_type("div")), depth);
    assert!(
        tree.find_within(&Query::element_type("div"), 1 << 20)
            .is_err()
    );
}

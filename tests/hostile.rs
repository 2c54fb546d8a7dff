//! Small hostile inputs that once made the Next.js layer, the extractors or the renderers
//! take exponential or quadratic time or memory (found in review; each shape is built
//! here at a size where a regression shows as a test that runs for minutes or dies).

use next_rsc::extract::extract;
use next_rsc::render::to_html;

fn rows(lines: &[String]) -> Vec<u8> {
    (lines.join("\n") + "\n").into_bytes()
}

/// Every router segment's two slots point at the same next row: 2^40 paths.
#[test]
fn shared_router_rows_do_not_double_at_every_level() {
    let mut lines = vec![r#"0:{"b":"x","f":[["$1",null,null]]}"#.to_string()];
    for i in 1..40u32 {
        lines.push(format!(
            r#"{i:x}:["s{i}",{{"a":"${:x}","b":"${:x}"}}]"#,
            i + 1,
            i + 1
        ));
    }
    lines.push(format!(r#"{:x}:["__PAGE__",{{}}]"#, 40));
    let x = extract(&rows(&lines)).unwrap();
    assert_eq!(x.next.build_id.as_deref(), Some("x"));
}

/// One megabyte of text used 3,000 times: copying it each time would be 3 GB.
#[test]
fn a_shared_string_is_not_copied_without_bound() {
    let mut lines = vec![format!(r#"1:"{}""#, "x".repeat(1 << 20))];
    let children: Vec<String> = (0..3000)
        .map(|_| r#"["$","p",null,{"children":"$1"}]"#.to_string())
        .collect();
    lines.push(format!(
        r#"0:["$","div",null,{{"children":[{}]}}]"#,
        children.join(",")
    ));
    let document = next_rsc::document::read(&rows(&lines)).unwrap();
    assert!(document.page.missing.iter().any(|m| m.contains("cut")));
    assert!(to_html(&document.page).len() < 100 << 20);
}

/// Metas nested in metas in the head: each hoisted once, not once per ancestor.
#[test]
fn nested_head_elements_are_placed_once() {
    let mut head = String::from(r#""x""#);
    for i in 0..3000 {
        head = format!(r#"["$","meta","{i}",{{"name":"n{i}","content":"c","children":{head}}}]"#);
    }
    let lines = vec![format!(
        r#"0:{{"b":"x","f":[[["",{{"children":["__PAGE__",{{}}]}},null,null,true],["",["$","html",null,{{"children":["$","body",null,{{}}]}}],{{}},null,false],{head},false]]}}"#
    )];
    let x = extract(&rows(&lines)).unwrap();
    assert_eq!(x.metadata.tags.len(), 3000);
}

/// A chain of 20,000 rows each referring to the next, read from 20,000 places.
#[test]
fn a_reference_chain_is_followed_once() {
    let n = 20_000u32;
    let mut lines: Vec<String> = (1..n).map(|i| format!(r#"{i:x}:"${:x}""#, i + 1)).collect();
    lines.push(format!(r#"{n:x}:["$","b",null,{{"children":"end"}}]"#));
    let children: Vec<String> = (0..n).map(|_| r#""$1""#.to_string()).collect();
    lines.push(format!(
        r#"0:["$","div",null,{{"children":[{}]}}]"#,
        children.join(",")
    ));
    let x = extract(&rows(&lines)).unwrap();
    assert!(x.diagnostics.is_empty());
}

/// Nested articles, tag links, headers and labelled navs, 20,000 rows deep.
#[test]
fn deep_chains_of_rows_stay_linear() {
    let n = 20_000u32;
    let words = "w ".repeat(30);
    for kind in ["tag", "header", "nav"] {
        let mut lines = vec![r#"0:["$","html",null,{"children":["$","body",null,{"children":["$","article",null,{"children":"$L1"}]}]}]"#.to_string()];
        for i in 1..n {
            lines.push(match kind {
                "tag" => format!(r#"{i:x}:["$","a",null,{{"rel":"tag","children":["x","$L{:x}"]}}]"#, i + 1),
                "header" => format!(r#"{i:x}:["$","div",null,{{"children":["$L{:x}"]}}]"#, i + 1),
                _ => format!(r#"{i:x}:["$","nav",null,{{"children":[["$","h2",null,{{"children":["x","$L{:x}"]}}],["$","a",null,{{"href":"/"}}]]}}]"#, i + 1),
            });
        }
        lines.push(format!(r#"{n:x}:["$","div",null,{{"children":[["$","header",null,{{"children":"T"}}],"{words}"]}}]"#));
        let x = extract(&rows(&lines)).unwrap();
        if let Some(article) = x.article {
            let _ = article.to_markdown();
        }
    }
}

/// Markdown of text with 100,000 backticks, and of 100,000 stray end tags.
#[test]
fn markdown_of_long_runs_stays_linear() {
    for body in [
        format!("<pre>{}</pre><p><code>{}</code></p>", "`".repeat(100_000), "`".repeat(100_000)),
        format!("{}{}", "<div>".repeat(100_000), "</x>".repeat(100_000)),
        r#"<ol start="18446744073709551615"><li>a</li><li>b</li></ol><ul><a href="/x">loose</a><li>ok</li></ul>"#.to_string(),
    ] {
        let md = next_rsc::render::markdown::html_to_markdown(&body, None);
        assert!(!md.is_empty());
    }
    let kept = next_rsc::render::markdown::html_to_markdown(
        r#"<ul><a href="/x">loose</a><li>ok</li></ul>"#,
        None,
    );
    assert!(
        kept.contains("loose") && kept.contains("- ok"),
        "nothing dropped: {kept}"
    );
}

/// The main-content model, page kinds and client-drawn bodies stay linear on nesting:
/// 20,000 nested headings, link blocks and client components that each carry a Markdown
/// body (a quadratic walk over them would not end in any reasonable time).
#[test]
fn nested_headings_links_and_drawn_bodies_stay_linear() {
    let depth = 20_000;
    for (open, close) in [
        (r##"["$","h1",null,{"children":["title ","##, "]}]"),
        (
            r##"["$","div",null,{"children":[["$","a",null,{"href":"/tags/x","children":"x"}],"##,
            "]}]",
        ),
        (
            r##"["$","$L1",null,{"content":"# Heading\n\nSome **text** here, long enough to be read as a body of its own.\n\n- a\n- b","children":"##,
            "}]",
        ),
    ] {
        let mut row = String::new();
        for _ in 0..depth {
            row.push_str(open);
        }
        row.push_str("null");
        for _ in 0..depth {
            row.push_str(close);
        }
        let payload = format!(
            "1:I[\"m\",[],\"Body\"]\n0:[\"$\",\"html\",null,{{\"children\":[\"$\",\"body\",null,{{\"children\":[\"$\",\"main\",null,{{\"children\":{row}}}]}}]}}]\n"
        );
        let x = next_rsc::extract::extract(payload.as_bytes()).expect("flight");
        assert!(
            x.diagnostics
                .iter()
                .all(|d| d.kind != next_rsc::DiagnosticKind::InvalidJson),
            "{:?}",
            x.diagnostics.first()
        );
        assert!(!x.page_kind.evidence.is_empty());
    }
}

/// Element types and prop names from a stranger's payload never become markup: React's
/// server renderer refuses them ("Invalid tag", an unsafe attribute name), and so do we.
#[test]
fn hostile_element_and_prop_names_never_become_markup() {
    let payload = br#"0:["$","div",null,{"children":[["$","img src=x onerror=alert(1)",null,{"children":"shown"}],["$","p",null,{"onclick=alert(2) x":"y","title":"ok","children":"text"}]]}]
"#;
    let page = next_rsc::Page::parse(payload).unwrap();
    let html = page.to_html().unwrap();
    assert!(
        !html.contains("onerror") && !html.contains("<img"),
        "{html}"
    );
    assert!(!html.contains("alert(2)"), "{html}");
    assert!(
        html.contains("shown") && html.contains("<p title=\"ok\">text</p>"),
        "{html}"
    );
    let refused: Vec<_> = page
        .diagnostics()
        .iter()
        .filter(|d| d.kind == next_rsc::DiagnosticKind::InvalidName)
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    // Each names its row and where in the input the name is written.
    for d in &refused {
        assert_eq!(d.row.as_deref(), Some("0"), "{d:?}");
        assert!(d.offset > 2, "{d:?}");
    }
    let tag_at = refused[0].offset;
    assert_eq!(&payload[tag_at..tag_at + 11], b"\"img src=x ");
}

/// An article whose text sits 100,000 elements deep: finding its kind asks of every node
/// whether it holds the body, which must not walk up from the body each time.
#[test]
fn a_deeply_nested_article_stays_linear() {
    let depth = 100_000;
    let body = format!(
        r#"{}"words of the article body"{}"#,
        r#"["$","div",null,{"children":"#.repeat(depth),
        "}]".repeat(depth)
    );
    let payload = format!(
        "0:[\"$\",\"html\",null,{{\"children\":[\"$\",\"body\",null,{{\"children\":[\"$\",\"main\",null,{{\"children\":[\"$\",\"article\",null,{{\"children\":[[\"$\",\"h1\",null,{{\"children\":\"Deep\"}}],[\"$\",\"time\",null,{{\"dateTime\":\"2025-01-01\"}}],{body}]}}]}}]}}]}}]\n"
    );
    let x = extract(payload.as_bytes()).unwrap();
    assert!(x.article.is_some() || !x.diagnostics.is_empty());
}

/// A payload that carries active content, rendered in safe mode: none of it is left, its
/// text is.
#[test]
fn safe_mode_leaves_no_active_content() {
    let payload = br#"0:["$","html",null,{"children":["$","body",null,{"children":["$","div",null,{"onClick":"x","children":[["$","script",null,{"children":"alert(1)"}],["$","iframe",null,{"srcDoc":"<script>alert(2)</script>"}],["$","a",null,{"href":"javascript:alert(3)","children":"a link"}],["$","object",null,{"data":"x.swf"}],["$","meta",null,{"httpEquiv":"refresh","content":"0;url=javascript:alert(4)"}],["$","p",null,{"style":{"color":"red"},"children":"visible text"}]]}]}]}]
"#;
    let options = next_rsc::Options {
        safe: true,
        ..Default::default()
    };
    let html = next_rsc::Page::parse_with(payload, &options)
        .unwrap()
        .to_html()
        .unwrap();
    let lower = html.to_ascii_lowercase();
    for active in [
        "<script", "alert", "<iframe", "srcdoc", "<object", "refresh", "onclick",
    ] {
        assert!(!lower.contains(active), "{active}: {html}");
    }
    assert!(
        html.contains("visible text") && html.contains("a link"),
        "{html}"
    );
}

/// 300,000 rows, each a string the root lists once, with the helper thread writing rows
/// ahead: each row written alone once cleared a bitset the size of the whole tree (a
/// 24 MB payload took 20 s).
#[test]
fn many_outlined_rows_written_ahead_stay_linear() {
    let n = 300_000;
    let mut payload = String::new();
    for k in 1..=n {
        payload.push_str(&format!("{k:x}:\"p{k}\"\n"));
    }
    let refs: Vec<String> = (1..=n).map(|k| format!("\"${k:x}\"")).collect();
    payload.push_str(&format!("0:[{}]\n", refs.join(",")));
    let rows = next_rsc::flight::split_rows(payload.as_bytes());
    let tree = next_rsc::flight::resolve(&rows, Default::default());
    let mut out = Vec::new();
    let options = next_rsc::flight::WriteOptions {
        ahead_from: Some(1),
        ..Default::default()
    };
    next_rsc::flight::write_canonical(&tree, options, &mut out).unwrap();
    assert!(out.ends_with(b"\"p300000\"]}\n"));
}

/// An HTML page with one tag of 300,000 attributes: the tokenizer checks each new
/// attribute against all before it, so only the first thousand reach it.
#[test]
fn a_tag_with_many_attributes_stays_linear() {
    let attributes: Vec<String> = (0..300_000).map(|i| format!("a{i}=\"x\"")).collect();
    let page = format!(
        "<html><body><script>(self.__next_f=self.__next_f||[]).push([0])</script><script>self.__next_f.push([1,\"0:[\\\"$\\\",\\\"p\\\",null,{{\\\"children\\\":\\\"kept\\\"}}]\\n\"])</script><div {}></div></body></html>",
        attributes.join(" ")
    );
    let page = next_rsc::Page::parse(page.as_bytes()).unwrap();
    assert!(page.to_html().unwrap().contains("<p>kept</p>"));
}

/// Two million small values in one array: composed as one text, not two million nodes
/// and tasks (10 MB of `[1,1,1,…]` took 1.5 GB and 5 s to extract).
#[test]
fn many_small_values_compose_as_one_text() {
    let n = 2_000_000;
    let payload = format!("0:[{}]\n", vec!["1"; n].join(","));
    let document = next_rsc::document::read(payload.as_bytes()).unwrap();
    assert!(document.page.len() < 16, "{} nodes", document.page.len());
    let html = to_html(&document.page);
    assert_eq!(html.matches('1').count(), n);
}

//! The shapes of real posts and lists that the main-content model once got wrong, each
//! written here as a small page of the same shape (the sites' own pages are in the
//! third-party corpus, which is not committed: `tests/corpus/README.md`). The site where
//! each shape was seen is named on its test.

use next_rsc::extract::{Extraction, Kind, extract};

/// A Next 15 page at `/<segments>` whose root layout renders `body` inside
/// `<html><body>`, with `head` as its metadata and `rows` before the root row.
fn page(rows: &str, segments: &[&str], head: &str, body: &str) -> Vec<u8> {
    // Rows end at a newline: the JSON written over several lines here is put on one.
    let body = body.replace('\n', " ");
    let mut tree = r#"["__PAGE__",{}]"#.to_string();
    for segment in segments.iter().rev() {
        let segment = match segment.strip_prefix('[') {
            Some(param) => {
                let (name, value) = param.split_once(']').unwrap_or((param, ""));
                format!(r#"["{name}","{value}","d"]"#)
            }
            None => format!("{segment:?}"),
        };
        tree = format!(r#"[{segment},{{"children":{tree}}}]"#);
    }
    format!(
        "{rows}0:{{\"b\":\"x\",\"f\":[[[\"\",{{\"children\":{tree}}},null,null,true],[\"\",\
         [\"$\",\"html\",null,{{\"lang\":\"en\",\"children\":[\"$\",\"body\",null,{{\"children\":{body}}}]}}],\
         {{}},null,false],[{head}],false]]}}\n"
    )
    .into_bytes()
}

fn title(text: &str) -> String {
    format!(r#"["$","title","t",{{"children":{text:?}}}]"#)
}

fn extraction(input: &[u8]) -> Extraction {
    extract(input).expect("a page")
}

fn paragraphs(n: usize) -> String {
    let p = r#"["$","p",null,{"children":"Every form saves to the device first and only then tries to send it to the server."}]"#;
    vec![p; n].join(",")
}

/// chemistry_blog (zh): a post of one sentence, with its authors and three related posts
/// under it, is a post, not a list of five cards.
#[test]
fn a_short_post_with_its_authors_and_related_posts_is_an_article() {
    let body = r#"["$","main",null,{"children":["$","article",null,{"children":[
        ["$","h1",null,{"children":"为什么撒盐能化冰"}],
        ["$","span",null,{"children":"2025年10月19日"}],
        ["$","div",null,{"className":"prose","children":["$","p",null,{"children":"盐溶于水后降低了水的凝固点，所以冰在零度以下也会融化。"}]}],
        ["$","section",null,{"children":[["$","h2",null,{"children":"贡献成员"}],["$","ul",null,{"children":[
            ["$","li",null,{"children":["$","a",null,{"href":"/zh/team/a","children":"陈欣怡"}]}],
            ["$","li",null,{"children":["$","a",null,{"href":"/zh/team/b","children":"王嘉"}]}]]}]]}],
        ["$","section",null,{"children":[["$","h2",null,{"children":"相关文章"}],["$","ul",null,{"children":[
            ["$","li",null,{"children":["$","a",null,{"href":"/zh/publications/a","children":"缓冲溶液为什么能抗变化"}]}],
            ["$","li",null,{"children":["$","a",null,{"href":"/zh/publications/b","children":"一分钟理解氧化还原"}]}],
            ["$","li",null,{"children":["$","a",null,{"href":"/zh/publications/c","children":"元素周期表的记忆"}]}]]}]]}]]}]}]"#;
    let x = extraction(&page(
        "",
        &["[lang]zh", "publications", "[slug]salt"],
        &title("为什么撒盐能化冰 | 化学"),
        body,
    ));
    assert_eq!(x.page_kind.kind, Kind::Article, "{:?}", x.page_kind);
    let article = x.article.expect("an article");
    assert_eq!(article.title.as_deref(), Some("为什么撒盐能化冰"));
    assert!(article.text.contains("冰在零度以下也会融化"));
    assert!(!article.text.contains("王嘉") && !article.text.contains("氧化还原"));
}

/// geongyu09/blog: a tag's page that lists one post, its card a link around an
/// `<article>`, beside the list of tags, is a list.
#[test]
fn a_list_of_one_card_wrapped_in_its_link_is_a_list() {
    let card = |href: &str, title: &str| {
        format!(
            r#"["$","a",null,{{"href":{href:?},"children":["$","article",null,{{"children":[["$","h4",null,{{"children":{title:?}}}],["$","p",null,{{"children":"A look back at the year."}}],["$","span",null,{{"children":"2024년 12월 22일"}}]]}}]}}]"#
        )
    };
    let tags: Vec<String> = ["회고", "2024", "블로그", "일지", "React"]
        .iter()
        .map(|t| {
            format!(
                r#"["$","li",null,{{"children":["$","a",null,{{"href":"/posts/{t}","children":["$","span",null,{{"children":{t:?}}}]}}]}}]"#
            )
        })
        .collect();
    let body = format!(
        r#"["$","main",null,{{"children":[["$","h2",null,{{"children":"전체 포스트들"}}],["$","div",null,{{"children":[["$","a",null,{{"href":"/posts","children":"x"}}],["$","span",null,{{"children":"2024"}}]]}}],["$","section",null,{{"children":[{}]}}],["$","section",null,{{"children":[["$","h3",null,{{"children":"태그"}}],["$","ul",null,{{"children":[{}]}}]]}}]]}}]"#,
        card("/post/remind2024", "[회고] 2024 회고"),
        tags.join(",")
    );
    let x = extraction(&page(
        "",
        &["posts", "[tag]2024"],
        &title("건규의 블로그"),
        &body,
    ));
    assert_eq!(x.page_kind.kind, Kind::List, "{:?}", x.page_kind);
    assert!(x.article.is_none());
}

/// pianopia.github.io: the body is an HTML string that starts with the post's title
/// again, under the page's own `<h1>`: the title is said once.
#[test]
fn an_html_body_that_repeats_the_title_says_it_once() {
    let body = format!(
        r#"["$","main",null,{{"children":["$","article",null,{{"children":[["$","h1",null,{{"children":"Replacing my site"}}],["$","time",null,{{"dateTime":"2025-03-09","children":"2025-03-09"}}],["$","div",null,{{"className":"prose","dangerouslySetInnerHTML":{{"__html":"<h1>Replacing my site</h1>\n<p>GitHub Pages uses Jekyll by default, so I rebuilt the site with Next.js.</p>\n<h2>Plans</h2>\n<p>{}</p>"}}}}]]}}]}}]"#,
        "More posts to come. ".repeat(10)
    );
    let x = extraction(&page(
        "",
        &["blog", "[slug]first-post"],
        &title("Replacing my site"),
        &body,
    ));
    let article = x.article.expect("an article");
    assert_eq!(article.title.as_deref(), Some("Replacing my site"));
    assert!(article.text.starts_with("GitHub Pages"), "{}", article.text);
    assert!(!article.html.contains("<h1>Replacing my site</h1>"));
    assert!(article.html.contains("<h2>Plans</h2>"));
}

/// therapist-site: an analytics snippet given to Next's `Script` (a Turbopack module id,
/// so known by its `strategy`) is script source: never article text, never visible in
/// the rendered page.
#[test]
fn the_source_of_an_inline_next_script_is_never_text() {
    let body = format!(
        r#"[["$","main",null,{{"children":["$","article",null,{{"children":[["$","h1",null,{{"children":"When care turns into control"}}],{}]}}]}}],["$","$L2",null,{{"id":"metrika","strategy":"afterInteractive","children":"(function(m,e,t,r,i){{m[i]=m[i]||function(){{}}}})(window,document,'script','https://mc.example/tag.js','ym');"}}]]"#,
        paragraphs(12)
    );
    let rows = "2:I[79520,[\"/_next/static/chunks/a.js\"],\"\"]\n";
    let input = page(
        rows,
        &["articles", "[slug]control"],
        &title("Control"),
        &body,
    );
    let x = extraction(&input);
    let article = x.article.expect("an article");
    assert!(!article.text.contains("function"), "{}", article.text);
    let document = next_rsc::document::read(&input).expect("a page");
    let html = next_rsc::render::to_html(&document.page);
    assert!(!html.contains("mc.example"), "{html}");
}

/// IROL123.github.io: a "Back to posts · Jan 28, 2025" line above the text, and the
/// site's links and "© 2025 Felix" under it, inside the same `<article>`.
#[test]
fn a_dated_line_above_and_the_site_links_below_are_not_the_article() {
    let body = format!(
        r#"["$","main",null,{{"children":["$","article",null,{{"children":[
            ["$","h1",null,{{"children":"Mastering CSS Grid"}}],
            ["$","div",null,{{"children":[["$","a",null,{{"href":"/posts/","children":"Back to Posts"}}],["$","div",null,{{"children":"Jan 28, 2025"}}]]}}],
            {},
            ["$","div",null,{{"className":"pt-32","children":["$","div",null,{{"children":[
                ["$","div",null,{{"children":[["$","a",null,{{"href":"/","children":"Home"}}],["$","a",null,{{"href":"/posts/","children":"Posts"}}],["$","a",null,{{"href":"/papers/","children":"Papers"}}],["$","a",null,{{"href":"/people/","children":"People"}}],["$","a",null,{{"href":"https://github.com/example/site","children":"GitHub"}}]]}}],
                ["$","div",null,{{"children":"© 2025 Felix"}}]]}}]}}]]}}]}}]"#,
        paragraphs(10)
    );
    let x = extraction(&page(
        "",
        &["posts", "[slug]grid"],
        &title("Mastering CSS Grid"),
        &body,
    ));
    let article = x.article.expect("an article");
    for left_out in ["Back to Posts", "Jan 28", "Papers", "GitHub", "©"] {
        assert!(
            !article.text.contains(left_out),
            "{left_out}: {}",
            article.text
        );
    }
    assert!(article.text.starts_with("Every form saves"));
}

/// suogongy.github.io: a body drawn from Markdown with ` ```mermaid ` diagrams: the HTML
/// gives `<pre class="mermaid">` for mermaid.js to draw, the text leaves their source out,
/// the Markdown keeps it as written.
#[test]
fn a_diagram_in_a_drawn_markdown_body_is_drawn_not_read() {
    let markdown = format!(
        "# Uniswap V2\n\n## Constant product\n\n{}\n\n```mermaid\ngraph TD\n    A[Pool] --> B[Token X]\n```\n\nThe price follows from the reserves.\n",
        "The pool keeps the product of its two reserves constant. ".repeat(8)
    );
    let body = format!(
        r#"["$","main",null,{{"children":["$","article",null,{{"children":["$","$L2",null,{{"content":{markdown:?}}}]}}]}}]"#
    );
    let rows = "2:I[\"(app)/x\",[],\"MarkdownRenderer\"]\n";
    let x = extraction(&page(
        rows,
        &["notes", "[slug]uniswap"],
        &title("Uniswap V2"),
        &body,
    ));
    let article = x.article.expect("an article");
    assert!(!article.text.contains("graph TD"), "{}", article.text);
    assert!(article.text.contains("The price follows"));
    assert!(article.html.contains("<pre class=\"mermaid\">graph TD"));
    assert!(
        article
            .markdown
            .as_deref()
            .unwrap_or("")
            .contains("```mermaid"),
        "{:?} {}",
        article.markdown,
        article.html
    );
}

/// markdown-blog (chayhan): the title is a `<div class="page_title">` that is the
/// og:title word for word; the body's own `<h1>`s are its sections, and a section
/// heading the title merely contains ("풀이" in "… C++ 풀이") is not the title.
#[test]
fn a_block_that_is_the_title_word_for_word_is_the_title() {
    let head = format!(
        r#"{},["$","meta","o",{{"property":"og:title","content":"[ 백준 2818 ] 숙제하기 싫을 때 : C++ 풀이"}}]"#,
        title("[ 백준 2818 ] 숙제하기 싫을 때 : C++ 풀이 :: chayhan's Blog")
    );
    let body = format!(
        r#"["$","div",null,{{"children":[["$","div",null,{{"className":"page_title","children":"[ 백준 2818 ] 숙제하기 싫을 때 : C++ 풀이"}}],["$","div",null,{{"className":"page_date","children":"Nov 16, 2023"}}],["$","div",null,{{"className":"page_markdown","children":[["$","h1",null,{{"children":"문제"}}],{},["$","h1",null,{{"children":"풀이"}}],{}]}}]]}}]"#,
        paragraphs(4),
        paragraphs(4)
    );
    let x = extraction(&page("", &["[slug]boj2818"], &head, &body));
    let article = x.article.expect("an article");
    assert_eq!(
        article.title.as_deref(),
        Some("[ 백준 2818 ] 숙제하기 싫을 때 : C++ 풀이")
    );
    assert!(article.text.starts_with("문제"), "{}", article.text);
}

/// My-World (hyungin0505): the post's `<h1>` stands above the body, and the body has an
/// `<h1>` section of its own further down.
#[test]
fn an_h1_section_after_the_text_is_not_the_title() {
    let body = format!(
        r#"["$","div",null,{{"className":"mainField","children":[["$","div",null,{{"children":[["$","p",null,{{"children":"Programming/C"}}],["$","h1",null,{{"children":"C언어 main 함수 표준 정의"}}],["$","p",null,{{"children":"2025.01.25"}}]]}}],["$","div",null,{{"className":"md-content","children":[{},["$","hr",null,{{}}],["$","h1",null,{{"children":"main 함수"}}],{}]}}]]}}]"#,
        paragraphs(3),
        paragraphs(6)
    );
    let x = extraction(&page(
        "",
        &["posts", "[slug]250205-101"],
        &title("KoGandhi's World"),
        &body,
    ));
    let article = x.article.expect("an article");
    assert_eq!(article.title.as_deref(), Some("C언어 main 함수 표준 정의"));
}

/// 8BitAlex-Blog: an `<h2>` opens the body, above Markdown whose sections are `<h1>`s.
#[test]
fn an_h2_above_h1_sections_is_the_title() {
    let body = format!(
        r#"["$","div",null,{{"id":"blog","children":["$","div",null,{{"children":[["$","h2",null,{{"children":"How Alderman RPG Works"}}],["$","h4",null,{{"children":"By Alex | 10/20/2023"}}],["$","hr",null,{{}}],["$","h1",null,{{"children":"Introduction"}}],{},["$","h1",null,{{"children":"Concepts"}}],{}]}}]}}]"#,
        paragraphs(4),
        paragraphs(4)
    );
    let x = extraction(&page(
        "",
        &["blog", "[slug]alderman"],
        &title("Alex's Blog"),
        &body,
    ));
    let article = x.article.expect("an article");
    assert_eq!(article.title.as_deref(), Some("How Alderman RPG Works"));
    // The byline written as an `<h4>` is not the article's text.
    assert!(!article.text.contains("By Alex"), "{}", article.text);
}

/// mwongau/blog: no `<h1>` at all; a line of links, then an `<h3>` and the text.
#[test]
fn a_lone_h3_before_the_text_is_the_title() {
    let body = r#"[["$","p",null,{"children":[["$","a",null,{"href":"/blog","children":"Home"}]," | ",["$","a",null,{"href":"/blog/posts","children":"Posts selection"}]]}],["$","h3",null,{"children":"Creation of blog"}],["$","p",null,{"children":"Date: 25-5-2023"}],["$","p",null,{"children":"This blog was created on 25-5-2023, to write about what I learn."}]]"#;
    let x = extraction(&page("", &["posts", "[slug]post1"], &title("M Wong"), body));
    let article = x.article.expect("an article");
    assert_eq!(article.title.as_deref(), Some("Creation of blog"));
}

/// markdown-blog, 8BitAlex-Blog: exports committed through Git's `autocrlf` lose the CR
/// of every CR LF inside their text rows, whose lengths still count it. The rows are read
/// to where the next row starts, and the page is whole.
#[test]
fn text_rows_whose_cr_was_lost_in_git_still_give_the_page() {
    let text = "First line of the post.\r\nSecond line of the post.\r\nThird line.";
    let declared = text.len();
    let committed = text.replace("\r\n", "\n");
    let body = r#"["$","main",null,{"children":["$","article",null,{"children":[["$","h1",null,{"children":"Line ends"}],["$","p",null,{"children":"$3"}]]}]}]"#;
    let rows = format!("3:T{declared:x},{committed}");
    let input = page(&rows, &["posts", "[slug]crlf"], &title("Line ends"), body);
    let document = next_rsc::document::read(&input).expect("a page");
    assert!(
        document
            .diagnostics
            .iter()
            .any(|d| d.kind == next_rsc::DiagnosticKind::LineEndsConverted
                && d.row.as_deref() == Some("3"))
    );
    let x = extraction(&input);
    assert_eq!(x.next.build_id.as_deref(), Some("x"));
    let article = x.article.expect("an article");
    assert!(article.text.contains("Third line."), "{}", article.text);
}

/// chemistry_blog (en): the table of contents sits beside the text in a
/// `<details><summary>Table of Contents</summary><nav>` inside the body.
#[test]
fn a_table_of_contents_in_a_disclosure_is_not_the_article() {
    let body = format!(
        r##"["$","main",null,{{"children":["$","article",null,{{"children":[["$","h1",null,{{"children":"Fruit cells"}}],["$","div",null,{{"children":[["$","div",null,{{"className":"prose","children":[["$","h2",null,{{"id":"activity","children":"Activity"}}],{}]}}],["$","div",null,{{"children":["$","details",null,{{"children":[["$","summary",null,{{"children":"Table of Contents"}}],["$","nav",null,{{"children":["$","ul",null,{{"children":["$","li",null,{{"children":["$","a",null,{{"href":"#activity","children":"Activity"}}]}}]}}]}}]]}}]}}]]}}]]}}]}}]"##,
        paragraphs(6)
    );
    let x = extraction(&page(
        "",
        &["publications", "[slug]fruit"],
        &title("Fruit cells"),
        &body,
    ));
    let article = x.article.expect("an article");
    assert!(
        !article.text.contains("Table of Contents"),
        "{}",
        article.text
    );
    assert_eq!(article.text.matches("Activity").count(), 1);
}

/// A post whose text the browser fetches: the route, `og:type` and the `<article>` say
/// article, the payload holds only its title. No empty article: `null`, and a diagnostic
/// that says why.
#[test]
fn a_post_whose_text_is_not_in_the_payload_has_no_article_and_says_why() {
    let head = format!(
        r#"{},["$","meta","o",{{"property":"og:type","content":"article"}}]"#,
        title("Spring survey")
    );
    let body = r#"["$","main",null,{"children":["$","article",null,{"children":[["$","h1",null,{"children":"Spring survey"}],["$","$L2",null,{"id":"spring-survey"}]]}]}]"#;
    let rows = "2:I[\"(app)/live\",[],\"LiveReport\"]\n";
    let x = extraction(&page(rows, &["posts", "[slug]spring-survey"], &head, body));
    assert_eq!(x.page_kind.kind, Kind::Article, "{:?}", x.page_kind);
    assert!(x.article.is_none());
    assert!(
        x.diagnostics
            .iter()
            .any(|d| d.kind == next_rsc::DiagnosticKind::ArticleNotInPayload)
    );
}

/// A docs site's inline theme script: Next's `Script` with no `strategy`, its client
/// reference a Turbopack module number (`I[79520,[…],""]`). Its source is code, never
/// text: not in the article, not in the rendered page.
#[test]
fn an_inline_script_without_a_strategy_is_never_text() {
    let body = format!(
        r#"[["$","$L2",null,{{"id":"theme-init","children":"try{{var t=localStorage.getItem('theme');document.documentElement.dataset.theme=t||'light'}}catch(e){{}}"}}],["$","main",null,{{"children":["$","article",null,{{"children":[["$","h1",null,{{"children":"Configuration"}}],{}]}}]}}]]"#,
        paragraphs(8)
    );
    let rows = "2:I[79520,[\"/_next/static/chunks/a.js\"],\"\"]\n";
    let input = page(
        rows,
        &["posts", "[slug]configuration"],
        &title("Configuration"),
        &body,
    );
    let x = extraction(&input);
    assert!(!x.article.expect("an article").text.contains("localStorage"));
    let html = next_rsc::Page::parse(&input).unwrap().to_html().unwrap();
    assert!(!html.contains("localStorage"), "{html}");
    // A client component that shows its text is not taken for one.
    let shown = r#"["$","main",null,{"children":["$","article",null,{"children":[["$","h1",null,{"children":"Notes"}],["$","$L2",null,{"id":"n","children":"Call it (once) when ready."}]]}]}]"#;
    let html = next_rsc::Page::parse(&page(
        rows,
        &["posts", "[slug]notes"],
        &title("Notes"),
        shown,
    ))
    .unwrap()
    .to_html()
    .unwrap();
    assert!(html.contains("Call it (once) when ready."), "{html}");
}

/// markdown-blog (chayhan), a short post: a profile column beside the text, neither
/// holding most of the words. The profile is a side column, not a card of a list, and
/// not the article.
#[test]
fn a_short_post_beside_a_profile_column_is_the_article_alone() {
    let body = r#"["$","div",null,{"id":"layout","children":[
        ["$","div",null,{"className":"SideMenu","children":[["$","a",null,{"href":"/","children":"Chayhan."}],["$","div",null,{"children":"Chayhan's blog"}],["$","div",null,{"children":"A few words about me and this blog"}],["$","div",null,{"children":[["$","a",null,{"href":"https://github.com/x","children":"Github"}],["$","a",null,{"href":"https://discord.gg/x","children":"Discord"}]]}]]}],
        ["$","div",null,{"id":"content","children":[["$","div",null,{"className":"page_title","children":"Hello, World!"}],["$","div",null,{"children":"Oct 11, 2023"}],["$","div",null,{"className":"page_markdown","children":[["$","h1",null,{"children":"Heading one"}],["$","p",null,{"children":"Hello there, this is the very first post of this blog."}],["$","p",null,{"children":"Anything else? Celebrating the birth of the blog."}]]}]]}]]}]"#;
    let head = format!(
        r#"{},["$","meta","o",{{"property":"og:title","content":"Hello, World!"}}]"#,
        title("Hello, World! :: chayhan's Blog")
    );
    let x = extraction(&page("", &["[slug]2023-10-11-hello-world"], &head, body));
    assert_eq!(x.page_kind.kind, Kind::Article, "{:?}", x.page_kind);
    let article = x.article.expect("an article");
    assert_eq!(article.title.as_deref(), Some("Hello, World!"));
    assert!(article.text.contains("very first post"));
    assert!(
        !article.text.contains("about me") && !article.text.contains("Github"),
        "{}",
        article.text
    );
}

/// my-tech-blog (WuYen): Markdown rendered without taking its front matter off, drawn as
/// HTML: the `key: value` block under a rule is not the article, and the `<h1>` the body
/// opens with is the title (the page has no heading of its own; its `<title>` is "Post").
#[test]
fn front_matter_printed_as_text_is_left_out_and_the_body_h1_is_the_title() {
    let body = r#"["$","main",null,{"children":["$","article",null,{"className":"prose","dangerouslySetInnerHTML":{"__html":"<hr>\n<h2>title: '我的第一篇文章'\ndate: '2025-01-08'\ntags: ['技術', '學習']</h2>\n<h1>歡迎來到我的技術部落格！</h1>\n<p>這是我的第一篇文章，我會記錄我的技術學習心得。</p>"}}]}]"#;
    let x = extraction(&page(
        "",
        &["posts", "[slug]hello-world"],
        &title("Post"),
        body,
    ));
    let article = x.article.expect("an article");
    assert_eq!(article.title.as_deref(), Some("歡迎來到我的技術部落格！"));
    assert!(
        article.text.starts_with("這是我的第一篇文章"),
        "{}",
        article.text
    );
    assert!(
        !article.html.contains("title:") && !article.html.contains("<hr"),
        "{}",
        article.html
    );
}

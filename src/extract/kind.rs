//! What kind of page this is — an article, a list of posts, the home page, a page of
//! documentation, an error page, or something else — with the evidence for it, read from
//! the response, the route, the metadata and the shape of the main content.

use serde::Serialize;

use super::content::{MainContent, Stats, card_list, tag};
use super::metadata::Metadata;
use super::text::looks_like_date;
use crate::next::NextFacts;
use crate::next::page::{NodeIndex, Page};
use crate::next::response::ResponseKind;

/// What kind of page it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// One piece of writing: a post, a news story, an essay.
    Article,
    /// A list of posts: an index, a tag or category page, an archive, a page of results.
    List,
    /// The site's front page.
    Home,
    /// A page of documentation.
    Docs,
    /// A not-found or error page.
    Error,
    /// Anything else: about, contact, a landing page, a redirect.
    Other,
}

/// The kind of a page and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageKind {
    /// The kind.
    pub kind: Kind,
    /// What it was told from, in words.
    pub evidence: Vec<String>,
}

/// Path segments that hold collections of posts.
const COLLECTIONS: [&str; 16] = [
    "posts",
    "post",
    "blog",
    "blogs",
    "articles",
    "article",
    "news",
    "notes",
    "note",
    "writing",
    "essays",
    "stories",
    "journal",
    "diary",
    "publications",
    "insights",
];

/// Path segments of list pages.
const LISTS: [&str; 12] = [
    "tags",
    "tag",
    "categories",
    "category",
    "archive",
    "archives",
    "page",
    "topics",
    "series",
    "search",
    "authors",
    "author",
];

/// Path segments of the pages a site has besides its writing.
const OTHER_PAGES: [&str; 20] = [
    "about",
    "contact",
    "colophon",
    "privacy",
    "privacy-policy",
    "terms",
    "imprint",
    "impressum",
    "legal",
    "cv",
    "resume",
    "now",
    "uses",
    "projects",
    "project",
    "portfolio",
    "works",
    "team",
    "people",
    "members",
];

/// Path segments of documentation.
const DOCS: [&str; 8] = [
    "docs",
    "doc",
    "documentation",
    "guide",
    "guides",
    "reference",
    "manual",
    "handbook",
];

/// What the page holds, for the decision.
pub(crate) struct Shape {
    /// The body's content words.
    pub words: usize,
    /// Cards in card lists in the main region, and the words they hold.
    pub cards: usize,
    pub card_words: usize,
    /// Content words of the main region.
    pub main_words: usize,
    /// Links in the biggest navigation region (a docs sidebar has many).
    pub sidebar_links: usize,
    /// A `<time>` in the main region.
    pub has_time: bool,
    /// The body is or is inside an `<article>`.
    pub in_article: bool,
    /// A short text in the main region that reads as a date (`Oct 11, 2023`,
    /// `2024年9月23日`), outside the cards.
    pub dated_text: bool,
    /// Paragraphs of five words or more in the body.
    pub paragraphs: usize,
}

impl Shape {
    pub fn of(
        page: &Page,
        stats: &Stats,
        main: Option<&MainContent>,
        region: Option<NodeIndex>,
    ) -> Shape {
        let mut shape = Shape {
            words: main.map_or(0, |m| m.words),
            cards: 0,
            card_words: 0,
            main_words: region.map_or(0, |r| {
                stats.content[r as usize] + stats.link_words[r as usize]
            }),
            sidebar_links: 0,
            has_time: false,
            in_article: false,
            dated_text: false,
            paragraphs: 0,
        };
        if let Some(m) = main {
            shape.paragraphs = page
                .descendants(m.body)
                .iter()
                .filter(|&&(d, _)| {
                    page.element(d).and_then(tag) == Some("p") && stats.words[d as usize] >= 5
                })
                .count();
            shape.in_article = std::iter::once(m.body)
                .chain(stats.ancestors(m.body))
                .chain(
                    page.descendants(m.body)
                        .into_iter()
                        .map(|(d, _)| d)
                        .take(64),
                )
                .any(|i| {
                    page.element(i).and_then(tag) == Some("article")
                        && stats.words[i as usize] * 2 >= m.words
                        // An `<article>` inside a link is a post's card.
                        && !stats
                            .ancestors(i)
                            .take_while(|&a| a != m.body)
                            .any(|a| page.element(a).is_some_and(super::content::is_link))
                });
        }
        if let Some(region) = region {
            // The body's ancestors, found once (asked of every node below the region).
            let above_body: std::collections::HashSet<NodeIndex> = main
                .map(|m| stats.ancestors(m.body).collect())
                .unwrap_or_default();
            let mut counted: Vec<NodeIndex> = Vec::new();
            for (d, _) in page.descendants(region) {
                let Some(el) = page.element(d) else { continue };
                // What is inside a list of cards (their dates too) is the cards'.
                if counted.iter().any(|&c| stats.is_ancestor(c, d)) {
                    continue;
                }
                if tag(el) == Some("time") {
                    shape.has_time = true;
                }
                if !shape.dated_text
                    && stats.words[d as usize] <= 8
                    && stats.link_words[d as usize] == 0
                    && el.children.iter().all(|&c| page.element(c).is_none())
                    && looks_like_date(&page.text_up_to(d, 80))
                {
                    shape.dated_text = true;
                }
                // Columns of a layout, one of which holds the body, are not cards.
                if let Some(cards) =
                    card_list(page, stats, d).filter(|&c| c >= 2 && !above_body.contains(&d))
                {
                    shape.cards += cards;
                    shape.card_words += stats.words[d as usize];
                    counted.push(d);
                }
            }
        }
        for &i in &stats.order {
            let Some(el) = page.element(i) else { continue };
            if matches!(tag(el), Some("nav" | "aside")) || el.str_prop("role") == Some("navigation")
            {
                shape.sidebar_links = shape.sidebar_links.max(stats.links[i as usize]);
            }
        }
        shape
    }
}

/// Decides the kind of a page.
pub(crate) fn page_kind(
    next: &NextFacts,
    metadata: &Metadata,
    shape: &Shape,
    title_text: Option<&str>,
    article_evidence: &[String],
) -> PageKind {
    let kind = |kind: Kind, evidence: Vec<String>| PageKind { kind, evidence };
    match next.response.kind {
        ResponseKind::Page => {}
        ResponseKind::NotFound
        | ResponseKind::Error
        | ResponseKind::Forbidden
        | ResponseKind::Unauthorized => {
            return kind(
                Kind::Error,
                vec![format!("the response is {:?}", next.response.kind)],
            );
        }
        other => {
            return kind(
                Kind::Other,
                vec![format!("the response is {other:?}, not a page")],
            );
        }
    }
    let says_not_found = |t: &str| {
        let t = t.to_lowercase();
        t.contains("404")
            || t.contains("not found")
            || t.contains("找不到")
            || t.contains("不存在")
            || t.contains("찾을 수 없")
            || t.contains("見つかりません")
    };
    if shape.words < 100
        && (title_text.is_some_and(says_not_found)
            || metadata.title.as_deref().is_some_and(says_not_found))
    {
        return kind(
            Kind::Error,
            vec!["the title says the page is not found".into()],
        );
    }
    let path = next.path.as_deref().unwrap_or("/");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let locale_like = |s: &str| {
        let s = s.split(['-', '_']).next().unwrap_or(s);
        (2..=3).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase())
    };
    // The root, or a locale's root (`/en` of a `/[lang]` route).
    let is_home = next.path.is_some() && segments.is_empty()
        || segments.len() == 1
            && locale_like(segments[0])
            && next.route.as_deref().is_some_and(|r| r.starts_with("/["));
    // Many cards beside a short body make a list, unless much says the body is a post (a
    // short post with its related posts and authors under it).
    let cards_hold_main = shape.cards >= 2 && shape.card_words * 2 >= shape.main_words.max(1)
        || shape.cards >= 5
            && shape.words < 150
            && !(article_evidence.len() >= 3 && shape.words >= 15);
    let route = next.route.as_deref().unwrap_or("");
    let last = segments.last().copied().unwrap_or("");
    let lower = |s: &str| s.to_ascii_lowercase();
    let list_route = segments.iter().any(|s| LISTS.contains(&lower(s).as_str()))
        || COLLECTIONS.contains(&lower(last).as_str());
    if is_home {
        return kind(
            Kind::Home,
            vec![format!("the path {path} is the site's front page")],
        );
    }
    let strong_article = !article_evidence.is_empty() && shape.words >= 150 && !cards_hold_main;
    let ld_article = article_evidence.iter().any(|e| e.starts_with("JSON-LD"));
    // A tag, category, archive or search page is a list whatever it holds; so is the
    // index of a collection (`/blog`), unless it holds one long article.
    let names_list = segments.iter().any(|s| LISTS.contains(&lower(s).as_str()));
    if cards_hold_main && !strong_article
        || names_list && !ld_article
        || list_route && shape.cards >= 2 && article_evidence.len() < 2
    {
        let mut why = vec![format!(
            "{} cards of links hold {} of the main region's {} words",
            shape.cards, shape.card_words, shape.main_words
        )];
        if list_route {
            why.push(format!("the path {path} names a list"));
        }
        return kind(Kind::List, why);
    }
    let docs_path = segments
        .first()
        .is_some_and(|s| DOCS.contains(&lower(s).as_str()))
        || route.split('/').any(|s| DOCS.contains(&lower(s).as_str()));
    // Documentation often carries article metadata (og:type, a date): the path wins, unless
    // JSON-LD says the page is an article. So do the pages every site has besides its
    // writing: about, contact, projects …
    let other_page = |s: &&str| OTHER_PAGES.contains(&lower(s).as_str());
    // `/about`, `/projects/x`; deeper pages under them (chapters of a project) are not.
    if (segments.last().is_some_and(other_page) || segments.len() == 2 && other_page(&segments[0]))
        && !ld_article
    {
        return kind(
            Kind::Other,
            vec![format!(
                "the path {path} names a page about the site or its people"
            )],
        );
    }
    if docs_path && shape.words >= 20 && !ld_article {
        let mut why = vec![format!("the path {path} is under documentation")];
        if shape.sidebar_links >= 8 {
            why.push(format!("a sidebar of {} links", shape.sidebar_links));
        }
        return kind(Kind::Docs, why);
    }
    // Much says article, and the payload holds next to none of its text: the browser
    // fetches it or draws it from what the flight does not carry.
    if article_evidence.len() >= 2 && shape.words < 5 && !list_route {
        let mut why = article_evidence.to_vec();
        why.push(format!(
            "only {} words of body in the payload: the text is not in it",
            shape.words
        ));
        return kind(Kind::Article, why);
    }
    if !article_evidence.is_empty() && shape.words >= 15
        || article_evidence.len() >= 2 && shape.words >= 5
    {
        let mut why = article_evidence.to_vec();
        why.push(format!("{} words of body", shape.words));
        return kind(Kind::Article, why);
    }
    if list_route && (shape.cards >= 2 || shape.words < 30) {
        return kind(Kind::List, vec![format!("the path {path} names a list")]);
    }
    if shape.sidebar_links >= 12 && shape.words >= 100 {
        return kind(
            Kind::Docs,
            vec![format!(
                "a sidebar of {} links beside {} words",
                shape.sidebar_links, shape.words
            )],
        );
    }
    kind(
        Kind::Other,
        vec![format!(
            "{} words of content and nothing that says article, list or docs",
            shape.words
        )],
    )
}

/// Why the page would be an article: metadata, JSON-LD, an `<article>`, a date, a route
/// of a post.
pub(crate) fn article_evidence(
    next: &NextFacts,
    metadata: &Metadata,
    shape: &Shape,
    has_json_ld_article: bool,
) -> Vec<String> {
    let mut why = Vec::new();
    if metadata.open_graph.kind.as_deref() == Some("article") {
        why.push("og:type is article".into());
    }
    if has_json_ld_article {
        why.push("JSON-LD describes an article".into());
    }
    if metadata.open_graph.published_time.is_some() {
        why.push("dated by article:published_time".into());
    }
    if shape.has_time {
        why.push("dated by a <time> in the main region".into());
    } else if shape.dated_text {
        why.push("dated by a date in the main region".into());
    }
    if shape.in_article {
        why.push("the body is an <article>".into());
    }
    let route = next.route.as_deref().unwrap_or("");
    let parts: Vec<&str> = route.split('/').filter(|s| !s.is_empty()).collect();
    if let [.., parent, last] = parts.as_slice()
        && last.starts_with('[')
        && COLLECTIONS.contains(&parent.to_ascii_lowercase().as_str())
    {
        why.push(format!("the route {route} is a post of a collection"));
    } else if let Some(path) = next.path.as_deref() {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if segs.len() >= 2
            && COLLECTIONS.contains(&segs[segs.len() - 2].to_ascii_lowercase().as_str())
            && !LISTS.contains(&segs[segs.len() - 1].to_ascii_lowercase().as_str())
        {
            why.push(format!("the path {path} is a post of a collection"));
        } else if segs.len() >= 3
            && segs[..segs.len() - 1]
                .iter()
                .any(|s| COLLECTIONS.contains(&s.to_ascii_lowercase().as_str()))
            && !segs
                .iter()
                .any(|s| LISTS.contains(&s.to_ascii_lowercase().as_str()))
            && shape.paragraphs >= 3
        {
            why.push(format!("the path {path} is a page of a collection"));
        } else if parts.last().is_some_and(|l| l.starts_with('['))
            && !parts
                .iter()
                .any(|p| LISTS.contains(&p.to_ascii_lowercase().as_str()))
            && shape.paragraphs >= 3
        {
            why.push(format!(
                "the route {route} ends in a parameter and the body is {} paragraphs of prose",
                shape.paragraphs
            ));
        }
    }
    why
}

#[cfg(test)]
mod tests {
    use crate::extract::text::{is_date_only, looks_like_date};

    #[test]
    fn a_date_alone_is_not_a_sentence_with_a_date() {
        for date in [
            "Jan 28, 2025",
            "2024年9月23日",
            "2024-03-09",
            "Monday, 3 March 2025",
            "March 3rd, 2025",
        ] {
            assert!(is_date_only(date), "{date}");
        }
        for text in ["In May 2020 I moved", "Updated 2024-03-09 by Ann", "2025"] {
            assert!(!is_date_only(text), "{text}");
        }
    }

    #[test]
    fn dates_of_many_scripts() {
        for date in [
            "Oct 11, 2023",
            "2023-10-11",
            "2024年9月23日",
            "2024년 9월 23일",
            "11.10.2023",
            "30 November 2025",
        ] {
            assert!(looks_like_date(date), "{date}");
        }
        for not in [
            "1 min read",
            "Chapter 2030",
            "2023",
            "Next.js 14.2",
            "Paragraph 20: more text",
        ] {
            assert!(!looks_like_date(not), "{not}");
        }
    }
}

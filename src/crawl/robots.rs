//! robots.txt as RFC 9309 reads it: the group for our product token (else `*`), and of
//! its rules the longest that matches a URL's path wins, `Allow` on a tie. (Next's
//! `robots.js` writes `Allow` before `Disallow`: taking the first rule that matches
//! would be wrong.)

/// The rules of one robots.txt for one user agent.
#[derive(Debug, Clone, Default)]
pub struct Robots {
    /// (allow, pattern) in file order.
    rules: Vec<(bool, String)>,
    /// Everything is disallowed (the file could not be fetched for a server error).
    closed: bool,
    /// The `Sitemap:` lines, whatever their group.
    pub sitemaps: Vec<String>,
    /// The group's `Crawl-delay`, in seconds.
    pub crawl_delay: Option<f64>,
}

/// One group of a robots.txt: the user agents it names and what it says to them.
#[derive(Default)]
struct Group {
    agents: Vec<String>,
    /// (allow, pattern) in file order.
    rules: Vec<(bool, String)>,
    crawl_delay: Option<f64>,
}

impl Robots {
    /// No robots.txt (a 4xx): everything is allowed.
    pub fn open() -> Robots {
        Robots::default()
    }

    /// robots.txt unreachable (a 5xx, a failed request): nothing is allowed.
    pub fn closed() -> Robots {
        Robots {
            closed: true,
            ..Robots::default()
        }
    }

    /// The rules of `text` for the user agent whose product token is `agent`
    /// (`next-rsc`), matched without regard to case.
    pub fn parse(text: &str, agent: &str) -> Robots {
        let agent = agent.to_ascii_lowercase();
        let mut robots = Robots::default();
        let mut groups: Vec<Group> = Vec::new();
        let mut in_agents = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    if !in_agents {
                        groups.push(Group::default());
                        in_agents = true;
                    }
                    if let Some(group) = groups.last_mut() {
                        group.agents.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    if let Some(group) = groups.last_mut()
                        && !value.is_empty()
                    {
                        group.rules.push((key == "allow", value.to_string()));
                    }
                }
                "crawl-delay" => {
                    in_agents = false;
                    if let Some(group) = groups.last_mut() {
                        group.crawl_delay = value
                            .parse::<f64>()
                            .ok()
                            .filter(|d| d.is_finite() && *d >= 0.0);
                    }
                }
                "sitemap" => robots.sitemaps.push(value.to_string()),
                _ => {}
            }
        }
        // Every group naming our token, merged; else every `*` group.
        let ours: Vec<_> = groups
            .iter()
            .filter(|g| {
                g.agents
                    .iter()
                    .any(|a| !a.is_empty() && a != "*" && agent.starts_with(a.as_str()))
            })
            .collect();
        let chosen = if ours.is_empty() {
            groups
                .iter()
                .filter(|g| g.agents.iter().any(|a| a == "*"))
                .collect()
        } else {
            ours
        };
        for group in chosen {
            robots.rules.extend(group.rules.iter().cloned());
            robots.crawl_delay = robots.crawl_delay.or(group.crawl_delay);
        }
        robots
    }

    /// Whether a URL's path and query (`/docs?x=1`) may be fetched.
    pub fn allows(&self, path_and_query: &str) -> bool {
        if self.closed {
            return path_and_query == "/robots.txt";
        }
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if matches(pattern, path_and_query) {
                let length = pattern.len();
                best = match best {
                    Some((l, a)) if l > length || (l == length && a) => Some((l, a)),
                    _ => Some((length, *allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// A robots.txt pattern against a path: `*` is any run of characters, a final `$` ends
/// the path; otherwise a prefix match. Percent-encoded and plain forms of the same
/// character are compared as the text stands.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let pieces: Vec<&str> = pattern.split('*').collect();
    let mut at = 0;
    for (i, piece) in pieces.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(piece) {
                return false;
            }
            at = piece.len();
            continue;
        }
        let last = i == pieces.len() - 1;
        if last && anchored {
            // The last piece must end the path, after `at`.
            return path.len() >= at + piece.len() && path.ends_with(piece);
        }
        match path[at..].find(piece) {
            Some(found) => at += found + piece.len(),
            None => return false,
        }
    }
    !anchored || at == path.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_rule_wins_and_allow_wins_a_tie() {
        // As Next's robots.js writes it: Allow first.
        let robots = Robots::parse(
            "User-Agent: *\nAllow: /\nDisallow: /private/\nDisallow: /*.json$\nAllow: /private/ok\n\nSitemap: https://a.example/sitemap.xml\n",
            "next-rsc",
        );
        assert!(robots.allows("/"));
        assert!(robots.allows("/blog/post"));
        assert!(!robots.allows("/private/x"));
        assert!(robots.allows("/private/ok/page"));
        assert!(!robots.allows("/data/x.json"));
        assert!(robots.allows("/data/x.json?y=1"));
        assert_eq!(robots.sitemaps, ["https://a.example/sitemap.xml"]);
        let tie = Robots::parse("user-agent: *\ndisallow: /a\nallow: /a\n", "next-rsc");
        assert!(tie.allows("/a/b"));
    }

    #[test]
    fn our_group_is_chosen_over_the_star_group() {
        let text = "User-agent: *\nDisallow: /\n\nUser-agent: Next-RSC\nUser-agent: other\nDisallow: /admin\nCrawl-delay: 2\n";
        let robots = Robots::parse(text, "next-rsc");
        assert!(robots.allows("/blog"));
        assert!(!robots.allows("/admin/x"));
        assert_eq!(robots.crawl_delay, Some(2.0));
        let others = Robots::parse(text, "somebot");
        assert!(!others.allows("/blog"));
    }

    #[test]
    fn wildcards_and_anchors() {
        assert!(matches("/*/edit", "/posts/1/edit"));
        assert!(!matches("/*/edit$", "/posts/1/edit/more"));
        assert!(matches("/*/edit$", "/posts/1/edit"));
        assert!(matches("/a*b*c", "/a--b--c--"));
        assert!(!matches("/a*b*c", "/a--c--b"));
        assert!(matches("*", "/anything"));
        assert!(matches("/$", "/"));
        assert!(!matches("/$", "/x"));
    }

    #[test]
    fn empty_or_unreachable_files() {
        assert!(Robots::parse("", "next-rsc").allows("/x"));
        assert!(Robots::parse("User-agent: *\nDisallow:\n", "next-rsc").allows("/x"));
        assert!(Robots::open().allows("/x"));
        assert!(!Robots::closed().allows("/x"));
    }
}

//! Sitemaps (sitemaps.org): the `<loc>` of each `<url>`, or of each `<sitemap>` of a
//! sitemap index. Read with a scan for `<loc>` elements, not an XML parser: a sitemap is
//! that and nothing more, and a broken one still gives what it lists.

/// What one sitemap file lists.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sitemap {
    /// Pages.
    pub pages: Vec<String>,
    /// Further sitemaps (a sitemap index).
    pub sitemaps: Vec<String>,
}

/// Reads a sitemap's bytes (gzip-compressed ones too).
pub fn read(bytes: &[u8]) -> Sitemap {
    let inflated;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        let ok = libflate::gzip::MultiDecoder::new(bytes)
            .and_then(|mut d| std::io::Read::read_to_end(&mut d, &mut out))
            .is_ok();
        inflated = if ok { out } else { Vec::new() };
        &inflated[..]
    } else {
        bytes
    };
    let text = String::from_utf8_lossy(bytes);
    let index = text.contains("<sitemapindex");
    let mut found = Vec::new();
    let mut rest = &text[..];
    while let Some(start) = rest.find("<loc>") {
        let after = &rest[start + "<loc>".len()..];
        let Some(end) = after.find("</loc>") else {
            break;
        };
        let value = after[..end].trim();
        let value = value
            .strip_prefix("<![CDATA[")
            .and_then(|v| v.strip_suffix("]]>"))
            .unwrap_or(value);
        found.push(unescape(value.trim()));
        rest = &after[end..];
    }
    if index {
        Sitemap {
            pages: Vec::new(),
            sitemaps: found,
        }
    } else {
        Sitemap {
            pages: found,
            sitemaps: Vec::new(),
        }
    }
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_indexes() {
        let urls = br#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://a.example/</loc><lastmod>2026-01-01</lastmod></url>
<url><loc> https://a.example/search?q=a&amp;page=2 </loc></url>
<url><loc><![CDATA[https://a.example/c]]></loc></url>
</urlset>"#;
        assert_eq!(
            read(urls).pages,
            [
                "https://a.example/",
                "https://a.example/search?q=a&page=2",
                "https://a.example/c"
            ]
        );
        let index =
            b"<sitemapindex><sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>";
        assert_eq!(read(index).sitemaps, ["https://a.example/s1.xml"]);
        let mut encoder = libflate::gzip::Encoder::new(Vec::new()).unwrap();
        std::io::Write::write_all(&mut encoder, urls).unwrap();
        assert_eq!(
            read(&encoder.finish().into_result().unwrap()).pages.len(),
            3
        );
        assert_eq!(
            read(b"<urlset><url><loc>https://a.example/cut").pages.len(),
            0
        );
    }
}

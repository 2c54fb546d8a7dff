//! How a site serves `next/image` images: through Next's image optimiser (`/_next/image?url=…&w=…&q=…`)
//! or as they are. The configuration (`images.deviceSizes`, `imageSizes`, `path`) is built into the
//! site's bundles, never into the flight; what the page's own `<img srcset>` and image preloads show is
//! the evidence, and Next's defaults fill the rest.

use serde::Serialize;

/// `images.deviceSizes` when the site does not set it.
pub const DEFAULT_DEVICE_SIZES: [u32; 8] = [640, 750, 828, 1080, 1200, 1920, 2048, 3840];
/// `images.imageSizes` when the site does not set it.
pub const DEFAULT_IMAGE_SIZES: [u32; 8] = [16, 32, 48, 64, 96, 128, 256, 384];
/// The quality Next's default loader asks for when the image names none.
pub const DEFAULT_QUALITY: u32 = 75;

/// The image optimiser a page's images go through, as the page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageOptimizer {
    /// The optimiser's path (`/_next/image` unless `images.path` moves it).
    pub path: String,
    /// Widths the page asks the optimiser for, in increasing order.
    pub widths: Vec<u32>,
    /// The deployment id (`dpl=`) the loader adds to each URL, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<String>,
    /// Whether the deployment id was seen only on the site's own static media
    /// (`/_next/static/media/…`), which is where newer versions add it.
    #[serde(skip)]
    pub deployment_on_static_media_only: bool,
}

impl ImageOptimizer {
    /// Learns from a `srcset` (or a single URL) what the optimiser is: each candidate URL
    /// of the default loader's form (`PATH?url=…&w=…&q=…`) adds its path, width and
    /// deployment id. Candidates of any other form are not evidence.
    pub fn learn(found: &mut Option<ImageOptimizer>, srcset: &str) {
        for candidate in srcset.split(", ") {
            let url = candidate
                .split_ascii_whitespace()
                .next()
                .unwrap_or_default();
            let Some((path, query)) = url.split_once('?') else {
                continue;
            };
            let (mut source, mut width, mut quality, mut deployment) = (None, None, false, None);
            for pair in query.split('&') {
                match pair.split_once('=') {
                    Some(("url", value)) => source = Some(value),
                    Some(("w", value)) => width = value.parse::<u32>().ok(),
                    Some(("q", value)) => quality = value.parse::<u32>().is_ok(),
                    Some(("dpl", value)) => deployment = Some(value),
                    _ => {}
                }
            }
            let (Some(source), Some(width), true) = (source, width, quality) else {
                continue;
            };
            let optimizer = found.get_or_insert_with(|| ImageOptimizer {
                path: path.to_string(),
                deployment_on_static_media_only: true,
                ..ImageOptimizer::default()
            });
            if let Err(at) = optimizer.widths.binary_search(&width) {
                optimizer.widths.insert(at, width);
            }
            if let Some(deployment) = deployment {
                optimizer.deployment = Some(deployment.to_string());
                let static_media = source.starts_with("%2F_next%2Fstatic%2Fmedia%2F");
                optimizer.deployment_on_static_media_only &= static_media;
            }
        }
    }

    /// Adds what another source showed.
    pub fn merge(found: &mut Option<ImageOptimizer>, other: Option<&ImageOptimizer>) {
        let Some(other) = other else { return };
        match found {
            None => *found = Some(other.clone()),
            Some(mine) => {
                for &width in &other.widths {
                    if let Err(at) = mine.widths.binary_search(&width) {
                        mine.widths.insert(at, width);
                    }
                }
                if mine.deployment.is_none() {
                    mine.deployment.clone_from(&other.deployment);
                    mine.deployment_on_static_media_only = other.deployment_on_static_media_only;
                }
            }
        }
    }

    /// `deviceSizes` and all sizes (device and image sizes, in increasing order): Next's
    /// defaults with every width the page showed.
    fn sizes(&self) -> (Vec<u32>, Vec<u32>) {
        let mut all: Vec<u32> = DEFAULT_DEVICE_SIZES
            .iter()
            .chain(&DEFAULT_IMAGE_SIZES)
            .chain(&self.widths)
            .copied()
            .collect();
        all.sort_unstable();
        all.dedup();
        let smallest_device = DEFAULT_DEVICE_SIZES[0];
        let device = all
            .iter()
            .copied()
            .filter(|&w| w >= smallest_device)
            .collect();
        (device, all)
    }

    /// The default loader's URL for one width.
    fn url(&self, src: &str, width: u32, quality: u32) -> String {
        let mut url = format!(
            "{}?url={}&w={width}&q={quality}",
            self.path,
            encode_uri_component(src)
        );
        if let Some(deployment) = &self.deployment
            && (!self.deployment_on_static_media_only || src.starts_with("/_next/static/media/"))
        {
            url.push_str("&dpl=");
            url.push_str(deployment);
        }
        url
    }

    /// `src`, `srcset` and `sizes` as Next's `getImgProps` computes them for an optimised
    /// image (`generateImgAttrs`): a `1x`/`2x` pair for an image of known width and no
    /// `sizes`, else every size from the smallest the `vw` sizes can use.
    pub fn attributes(
        &self,
        src: &str,
        width: Option<f64>,
        sizes: Option<&str>,
        quality: Option<u32>,
    ) -> OptimizedImage {
        let (device, all) = self.sizes();
        let quality = quality.unwrap_or(DEFAULT_QUALITY);
        let (widths, descriptor) = match (sizes, width) {
            (Some(sizes), _) => {
                let smallest = viewport_percents(sizes).min();
                let widths = match smallest {
                    Some(percent) => {
                        let least = f64::from(device[0]) * f64::from(percent) * 0.01;
                        all.iter()
                            .copied()
                            .filter(|&w| f64::from(w) >= least)
                            .collect()
                    }
                    None => all.clone(),
                };
                (widths, 'w')
            }
            (None, Some(width)) => {
                let mut widths: Vec<u32> = Vec::new();
                for wanted in [width, width * 2.0] {
                    let at_least = all
                        .iter()
                        .copied()
                        .find(|&w| f64::from(w) >= wanted)
                        .unwrap_or(all[all.len() - 1]);
                    if !widths.contains(&at_least) {
                        widths.push(at_least);
                    }
                }
                (widths, 'x')
            }
            (None, None) => (device, 'w'),
        };
        let srcset = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                let size = if descriptor == 'w' { w as usize } else { i + 1 };
                format!("{} {size}{descriptor}", self.url(src, w, quality))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let last = widths.last().copied().unwrap_or(DEFAULT_DEVICE_SIZES[7]);
        OptimizedImage {
            src: self.url(src, last, quality),
            srcset,
            sizes: match sizes {
                None if descriptor == 'w' => Some("100vw".into()),
                other => other.map(str::to_string),
            },
        }
    }
}

/// What the server writes for an optimised image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptimizedImage {
    /// The URL of the largest width.
    pub src: String,
    /// Every width.
    pub srcset: String,
    /// `sizes`, when the widths are `w` descriptors.
    pub sizes: Option<String>,
}

/// Whether Next serves this image as it is whatever its configuration: data and blob
/// URLs, and SVG (unless the site allows SVG through the optimiser, which the page does
/// not say).
pub fn served_as_is(src: &str) -> bool {
    let path = src.split('?').next().unwrap_or_default();
    src.starts_with("data:") || src.starts_with("blob:") || path.ends_with(".svg")
}

/// The `N` of each `Nvw` in `sizes` (N below 200), as Next's `/(^|\s)(1?\d?\d)vw/g` finds them.
fn viewport_percents(sizes: &str) -> impl Iterator<Item = u32> + '_ {
    let bytes = sizes.as_bytes();
    (0..bytes.len()).filter_map(move |end| {
        if !sizes[end..].starts_with("vw") {
            return None;
        }
        let digits = bytes[..end]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_digit())
            .count()
            .min(3);
        let start = end - digits;
        let number = &sizes[start..end];
        let starts_word = start == 0 || bytes[start - 1].is_ascii_whitespace();
        let fits = match number.len() {
            1 | 2 => true,
            3 => number.starts_with('1'),
            _ => false,
        };
        (starts_word && fits).then(|| number.parse().ok()).flatten()
    })
}

/// JavaScript's `encodeURIComponent`.
fn encode_uri_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_path_widths_and_deployment_from_a_srcset() {
        let mut found = None;
        ImageOptimizer::learn(
            &mut found,
            "/_next/image?url=https%3A%2F%2Fa.com%2Fx.png&w=300&q=100&dpl=dpl_A 1x, \
             /_next/image?url=https%3A%2F%2Fa.com%2Fx.png&w=640&q=100&dpl=dpl_A 2x",
        );
        let found = found.expect("an optimiser");
        assert_eq!(found.path, "/_next/image");
        assert_eq!(found.widths, [300, 640]);
        assert_eq!(found.deployment.as_deref(), Some("dpl_A"));
        assert!(!found.deployment_on_static_media_only);
    }

    #[test]
    fn plain_image_urls_are_no_evidence() {
        let mut found = None;
        ImageOptimizer::learn(&mut found, "/img/a.png 1x, /img/a@2x.png 2x");
        ImageOptimizer::learn(&mut found, "https://cdn.example/a.png?w=300");
        assert_eq!(found, None);
    }

    #[test]
    fn a_fixed_width_image_gets_1x_and_2x() {
        let optimizer = ImageOptimizer {
            path: "/_next/image".into(),
            ..ImageOptimizer::default()
        };
        let image = optimizer.attributes("/_next/static/media/a.png", Some(48.0), None, None);
        assert_eq!(
            image.srcset,
            "/_next/image?url=%2F_next%2Fstatic%2Fmedia%2Fa.png&w=48&q=75 1x, \
             /_next/image?url=%2F_next%2Fstatic%2Fmedia%2Fa.png&w=96&q=75 2x"
        );
        assert_eq!(
            image.src,
            "/_next/image?url=%2F_next%2Fstatic%2Fmedia%2Fa.png&w=96&q=75"
        );
        assert_eq!(image.sizes, None);
        // Wider than the widest size: one candidate.
        let huge = optimizer.attributes("/a.png", Some(4096.0), None, Some(90));
        assert_eq!(huge.srcset, "/_next/image?url=%2Fa.png&w=3840&q=90 1x");
    }

    #[test]
    fn viewport_sizes_start_from_the_smallest_useful_width() {
        let optimizer = ImageOptimizer {
            path: "/_next/image".into(),
            ..ImageOptimizer::default()
        };
        let image =
            optimizer.attributes("/a.png", None, Some("(max-width: 768px) 100vw, 50vw"), None);
        let widths: Vec<&str> = image
            .srcset
            .split(", ")
            .map(|c| c.rsplit(' ').next().unwrap())
            .collect();
        assert_eq!(
            widths,
            [
                "384w", "640w", "750w", "828w", "1080w", "1200w", "1920w", "2048w", "3840w"
            ]
        );
        assert_eq!(
            image.sizes.as_deref(),
            Some("(max-width: 768px) 100vw, 50vw")
        );
        // A fill image with no sizes: the device sizes, for the whole viewport.
        let fill = optimizer.attributes("/a.png", None, None, None);
        assert_eq!(fill.srcset.split(", ").count(), 8);
        assert_eq!(fill.sizes.as_deref(), Some("100vw"));
    }

    #[test]
    fn viewport_percents_are_read_as_next_reads_them() {
        let found: Vec<u32> =
            viewport_percents("100vw, (min-width: 5px) 33vw, x250vw, 7vw").collect();
        assert_eq!(found, [100, 33, 7]);
    }

    #[test]
    fn the_deployment_id_follows_what_the_page_showed() {
        let mut found = None;
        ImageOptimizer::learn(
            &mut found,
            "/_next/image?url=%2F_next%2Fstatic%2Fmedia%2Fa.png&w=64&q=75&dpl=d1 1x",
        );
        let optimizer = found.unwrap();
        assert!(
            optimizer
                .url("/_next/static/media/b.png", 64, 75)
                .ends_with("&dpl=d1")
        );
        assert!(!optimizer.url("https://x.com/b.png", 64, 75).contains("dpl"));
    }

    #[test]
    fn encodes_as_javascript_does() {
        assert_eq!(
            encode_uri_component("https://a.com/x y?q=1&é(!)"),
            "https%3A%2F%2Fa.com%2Fx%20y%3Fq%3D1%26%C3%A9(!)"
        );
    }
}

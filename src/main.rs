//! The `next-rsc` command line: a thin shell over the library.

// The one unsafe call (mapping a file) is allowed where it is made, and said why.
#![deny(unsafe_code)]

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use next_rsc::flight::canonical::Pretty;
use next_rsc::flight::{self, Dialect, ResolveOptions, WriteOptions};
use next_rsc::input::Source;
use next_rsc::{Diagnostic, Error};

/// Read the React Server Components ("flight") data that Next.js App Router pages send
/// to browsers, and print what React's own client makes of it.
///
/// Exit status: 0 when output was produced (with or without diagnostics on stderr),
/// 1 with --strict when there were diagnostics, 2 when nothing usable could be read.
#[derive(Parser)]
#[command(name = "next-rsc", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the resolved tree of a flight payload (or of an App Router HTML page) as JSON.
    ///
    /// Without --canonical the tree is pretty-printed and client references also show
    /// their chunk files and async flag. With --canonical the output is exactly what
    /// `decode.mjs --no-messages --hints` (React's own client, in the oracle) prints:
    /// `{"hints":[…],"root":…}` with sorted keys, `$el` elements, `$client` references,
    /// `$error` / `$pending` where React rejects or never settles a value.
    ///
    /// Examples:
    ///   next-rsc tree page.rsc
    ///   next-rsc tree --canonical saved-page.html
    ///   curl -s -H 'RSC: 1' https://example.com/blog | next-rsc tree --canonical -
    #[command(verbatim_doc_comment)]
    Tree {
        /// A flight payload (`RSC: 1` body, `.rsc`, export `.txt`) or an App Router HTML
        /// page; - for standard input.
        file: PathBuf,
        /// Print the oracle's canonical JSON (compact, React's view byte for byte).
        #[arg(long)]
        canonical: bool,
        /// Resolve with the rules of one React line instead of detecting it from the payload.
        #[arg(long, value_enum)]
        react: Option<ReactLine>,
        /// Exit with status 1 when the input had any problem.
        #[arg(long)]
        strict: bool,
        /// Stop (exit 2) after writing this many bytes. Shared values are written at
        /// every use, so a small hostile payload can ask for gigabytes. Default: 64 MiB
        /// plus 256 times the input's size.
        #[arg(long, value_name = "BYTES")]
        max_output: Option<u64>,
    },
    /// Print what a page or payload says, as one JSON object:
    ///
    /// next        the Next.js facts: router ("app"/"pages"), payload kind, version
    ///             range, buildId, route ("/posts/[...slug]"), path, search, params,
    ///             dynamicSegments, assetPrefix, routerTree, assets {css, js},
    ///             beforeInteractive (self.__next_s scripts)
    /// metadata    title, description, canonical, lang, keywords, authors, robots,
    ///             openGraph (with article:* fields), twitter, icons, alternates,
    ///             viewport, themeColor, jsonLd, and tags: every head element in order
    /// article     title, published, modified, author, tags, lang, html, text,
    ///             wordCount; null when the page has no article
    /// navigation  [{region, label?, links: [{href, text, current?}]}] for header, nav,
    ///             aside, footer, breadcrumb, toc and pagination regions
    /// diagnostics what was wrong with the input (also on stderr)
    ///
    /// Everything comes from the flight alone (the page as the browser composes it);
    /// for an HTML page, head tags only its HTML has are added. A value the input
    /// does not carry is null. Accepts raw flight (an `RSC: 1` body, `.rsc`, export
    /// `.txt`), App Router pages and pages-router pages (`__NEXT_DATA__`: the next
    /// section and the HTML head's metadata); any other HTML exits 2.
    ///
    /// Examples:
    ///   next-rsc extract page.html
    ///   next-rsc extract out/blog/hello.txt | jq .article.text
    ///   curl -s -H 'RSC: 1' https://example.com/blog/post | next-rsc extract - | jq .metadata.title
    #[command(verbatim_doc_comment)]
    Extract {
        /// A flight payload or an HTML page; - for standard input.
        file: PathBuf,
        /// Exit with status 1 when the input had any problem.
        #[arg(long)]
        strict: bool,
    },
    /// Print the page as a complete HTML document, rendered from the flight alone.
    ///
    /// The composed page (every layout with its slot filled, down to the page) written
    /// with React's server rendering rules, the head rebuilt from the metadata elements
    /// and the page's stylesheets linked. Next's Link, Image and Script components are
    /// written as what they render; other client components as the server-rendered
    /// content they received, inside <rsc-client data-rsc-client="module#export">.
    ///
    /// Examples:
    ///   next-rsc html out/blog/hello.txt > hello.html
    ///   next-rsc html --no-css --scripts page.rsc
    #[command(verbatim_doc_comment)]
    Html {
        /// A flight payload or an App Router HTML page; - for standard input.
        file: PathBuf,
        /// Leave every stylesheet out (the page's own links too).
        #[arg(long)]
        no_css: bool,
        /// Keep <script src> elements (Next's chunks try to hydrate the page).
        #[arg(long)]
        scripts: bool,
        /// Exit with status 1 when the input had any problem.
        #[arg(long)]
        strict: bool,
    },
    /// Print the page's article as Markdown (CommonMark with GFM tables).
    ///
    /// YAML front matter (title, date, modified, author, tags, lang, canonical, source),
    /// the title, then the body: headings, paragraphs, emphasis, links and images resolved
    /// against the canonical URL, lists, code blocks with their language, blockquotes,
    /// tables. HTML that Markdown cannot say is kept as HTML. Exits 2 when the page has
    /// no article.
    ///
    /// Examples:
    ///   next-rsc markdown out/blog/hello.txt > hello.md
    ///   curl -s https://example.com/blog/post | next-rsc markdown -
    #[command(verbatim_doc_comment)]
    Markdown {
        /// A flight payload or an HTML page; - for standard input.
        file: PathBuf,
        /// Exit with status 1 when the input had any problem.
        #[arg(long)]
        strict: bool,
    },
    /// Print one JSON line per row: {"id","tag","offset","length"}.
    ///
    /// `id` and `tag` are as on the wire (`""` for an anonymous row or a model row,
    /// `"HL"` for a hint); offset and length are in bytes of the input.
    ///
    /// Example:
    ///   next-rsc rows page.rsc | grep '"tag":"T"'
    #[command(verbatim_doc_comment)]
    Rows {
        /// A flight payload or an App Router HTML page (its rebuilt flight); - for
        /// standard input.
        file: PathBuf,
        /// Exit with status 1 when the input had any problem.
        #[arg(long)]
        strict: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReactLine {
    /// Next 13.0 – 13.1 (tag-first rows).
    Legacy,
    /// Next 13.2 – 14.2 (React 18.3).
    #[value(name = "18")]
    React18,
    /// Next 15 and later (React 19).
    #[value(name = "19")]
    React19,
}

/// The bytes of the input: standard input read into memory, or a file mapped.
enum Input {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Input {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Input::Read(bytes) => bytes,
            Input::Mapped(map) => map,
        }
    }
}

/// Files from this size on are mapped rather than read.
const MAP_FROM: u64 = 1 << 20;

fn read_input(path: &PathBuf) -> Result<Input, Error> {
    let io_error = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let input = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        io::stdin().read_to_end(&mut buf).map_err(io_error)?;
        Input::Read(buf)
    } else {
        let mut file = std::fs::File::open(path).map_err(io_error)?;
        let size = file.metadata().map_err(io_error)?.len();
        if size >= MAP_FROM && file.metadata().map_err(io_error)?.is_file() {
            // Mapping a big file instead of copying it saves a fifth of a run (50 MB:
            // 12,000 page faults and a 50 MB copy; `benches/README.md`).
            // SAFETY: the map is only read, and only while this process runs. Should
            // another process truncate or rewrite the file meanwhile, the bytes read may
            // change or the read may fault; ripgrep accepts the same trade-off.
            #[allow(unsafe_code)]
            let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io_error)?;
            Input::Mapped(map)
        } else {
            let mut buf = Vec::with_capacity(size as usize + 1);
            file.read_to_end(&mut buf).map_err(io_error)?;
            Input::Read(buf)
        }
    };
    if input.is_empty() {
        return Err(Error::Empty);
    }
    Ok(input)
}

/// The flight to decode: the input itself, or for an HTML page the stream its
/// `self.__next_f` scripts carry (with what was wrong with the page).
fn flight_input(input: Input) -> Result<(Input, Vec<Diagnostic>), Error> {
    match next_rsc::input::detect(&input)? {
        Source::Flight => Ok((input, Vec::new())),
        Source::Page(flight, _) => Ok((Input::Read(flight.bytes), flight.diagnostics)),
        Source::PagesRouter(_) => Err(Error::PagesRouter),
    }
}

/// Splits the input, or says why it is not a flight stream.
fn flight_rows(input: &[u8]) -> Result<flight::Rows<'_>, Error> {
    let rows = flight::split_rows(input);
    if rows.is_flight(input) {
        return Ok(rows);
    }
    let why = format!(
        "{} bytes, and they do not start with a row header such as `0:`",
        input.len()
    );
    Err(Error::NotFlight(why))
}

fn report(diagnostics: &[Diagnostic]) {
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for d in diagnostics {
        let _ = writeln!(err, "next-rsc: {d}");
    }
}

fn write_stdout(out: &[u8]) -> io::Result<()> {
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(out).and_then(|_| lock.flush())
}

fn finish(written: io::Result<()>, diagnostics: &[Diagnostic], strict: bool) -> ExitCode {
    if let Err(e) = written
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        report(diagnostics);
        if e.to_string() == flight::canonical::OUTPUT_LIMIT {
            eprintln!(
                "next-rsc: {e} (the output so far is cut short; raise it with --max-output BYTES)"
            );
        } else {
            eprintln!("next-rsc: cannot write output: {e}");
        }
        return ExitCode::from(2);
    }
    report(diagnostics);
    if strict && !diagnostics.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Tree {
            file,
            canonical,
            react,
            strict,
            max_output,
        } => {
            let (input, page_diagnostics) = flight_input(read_input(&file)?)?;
            report(&page_diagnostics);
            let rows = flight_rows(&input)?;
            let options = ResolveOptions {
                dialect: react.map(|r| match r {
                    ReactLine::Legacy => Dialect::Legacy,
                    ReactLine::React18 => Dialect::React18,
                    ReactLine::React19 => Dialect::React19,
                }),
                react_parity: canonical,
                single_thread: false,
            };
            let tree = flight::resolve(&rows, options);
            let write_options = WriteOptions {
                detailed: !canonical,
                // Real pages write about as many bytes as they read; a payload that
                // shares rows with themselves can ask for exponentially many.
                max_output: Some(max_output.unwrap_or((64 << 20) + input.len() as u64 * 256)),
                ..Default::default()
            };
            let stdout = io::stdout();
            let mut lock = stdout.lock();
            let written = if canonical {
                flight::write_canonical(&tree, write_options, &mut lock)
            } else {
                let mut pretty = Pretty::new(&mut lock);
                flight::write_canonical(&tree, write_options, &mut pretty)
                    .and_then(|_| pretty.flush())
            };
            let code = finish(
                written.and_then(|_| lock.flush()),
                &tree.diagnostics,
                strict,
            );
            // The process ends here: handing the tree's memory back piece by piece costs
            // several percent of a run on big inputs, and the OS takes it back at once.
            std::mem::forget(tree);
            std::mem::forget(rows);
            std::mem::forget(input);
            Ok(code)
        }
        Command::Extract { file, strict } => {
            let input = read_input(&file)?;
            let extraction = next_rsc::extract::extract(&input)?;
            let diagnostics = extraction.diagnostics.clone();
            let mut out = serde_json::to_vec_pretty(&extraction).map_err(|e| Error::Io {
                path: "standard output".into(),
                source: e.into(),
            })?;
            out.push(b'\n');
            Ok(finish(write_stdout(&out), &diagnostics, strict))
        }
        Command::Html {
            file,
            no_css,
            scripts,
            strict,
        } => {
            let input = read_input(&file)?;
            let document = next_rsc::document::read(&input)?;
            if document.page.is_empty() {
                let why = document.page.missing.join("; ");
                return Err(Error::NothingToRender(if why.is_empty() {
                    "a pages-router page carries no flight".into()
                } else {
                    why
                }));
            }
            let options = next_rsc::render::html::HtmlOptions {
                stylesheets: if no_css {
                    &[]
                } else {
                    &document.next.assets.css
                },
                no_css,
                scripts,
            };
            let mut out = String::new();
            let _ = next_rsc::render::html::write_document(&document.page, options, &mut out);
            out.push('\n');
            Ok(finish(
                write_stdout(out.as_bytes()),
                &document.diagnostics,
                strict,
            ))
        }
        Command::Markdown { file, strict } => {
            let input = read_input(&file)?;
            let document = next_rsc::document::read(&input)?;
            let extraction = next_rsc::extract::extraction(&document);
            let article = extraction.article.ok_or(Error::NoArticle)?;
            let source = file.display().to_string();
            let options = next_rsc::render::MarkdownOptions {
                source: (source != "-").then_some(source.as_str()),
            };
            let mut out = String::new();
            let _ = next_rsc::render::write_markdown(&article, options, &mut out);
            Ok(finish(
                write_stdout(out.as_bytes()),
                &document.diagnostics,
                strict,
            ))
        }
        Command::Rows { file, strict } => {
            let (input, page_diagnostics) = flight_input(read_input(&file)?)?;
            report(&page_diagnostics);
            let rows = flight_rows(&input)?;
            let mut out = Vec::with_capacity(rows.rows.len() * 48);
            for row in &rows.rows {
                // Written by hand to keep the documented key order.
                let id = serde_json::to_string(row.id_str()).unwrap_or_default();
                let tag = serde_json::to_string(&row.tag.wire()).unwrap_or_default();
                out.extend_from_slice(
                    format!(
                        "{{\"id\":{id},\"tag\":{tag},\"offset\":{},\"length\":{}}}",
                        row.offset, row.length
                    )
                    .as_bytes(),
                );
                out.push(b'\n');
            }
            Ok(finish(write_stdout(&out), &rows.diagnostics, strict))
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("next-rsc: {e}");
            ExitCode::from(2)
        }
    }
}

//! The `reprodiff` command line: parses arguments, calls one library function
//! per subcommand and maps the outcome to an exit code: 0 identical (or a
//! successful listing), 1 different, 2 error.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use reprodiff::engine::{self, address, Options, Progress};
use reprodiff::present::ls;
use reprodiff::report::Verdict;
use reprodiff::walk::{self, WalkOptions};
use reprodiff_formats::{Blob, Entry, Kind, Limits};
use reprodiff_present::budget::{self, Capped};
use reprodiff_present::{attest, diffoscope, html, json, markdown, text, Sanitize};

#[derive(Parser)]
#[command(
    name = "reprodiff",
    version,
    about = "Show where and why two builds of a disk image differ",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    #[command(flatten)]
    compare: CompareArgs,
}

#[derive(Args)]
struct CompareArgs {
    /// The first build.
    #[arg(required = true)]
    a: Option<PathBuf>,
    /// The second build.
    #[arg(required = true)]
    b: Option<PathBuf>,
    /// Write the JSON report to FILE (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a minimized Markdown report (root causes, one trimmed diff
    /// each) to FILE, for pasting into a bug tracker.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// Write a self-contained HTML report (root causes, the tree of
    /// differences, diffs, hexdumps, where the bytes differ) to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Write the text report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    text: Option<PathBuf>,
    /// Colour the text report: `auto` on a terminal unless NO_COLOR is
    /// set, `always` (also into a --text file), `never`.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    color: ColorWhen,
    /// Write the report in diffoscope's JSON format to FILE, for tools
    /// that read diffoscope's output (`diffoscope --load-existing-diff`).
    #[arg(long, value_name = "FILE")]
    diffoscope_json: Option<PathBuf>,
    /// Write an unsigned in-toto Statement (SLSA verification summary:
    /// PASSED when b is bit-for-bit identical to a) to FILE, for signing.
    #[arg(long, value_name = "FILE")]
    attest: Option<PathBuf>,
    /// In the text report, print at most N members of a large root-cause
    /// group whose members differ in nothing else (the same mtime shift on
    /// thousands of files); the rest are counted (the HTML report folds
    /// them into one collapsed list). 0 prints every one.
    #[arg(long, value_name = "N", default_value_t = 20)]
    max_routine: usize,
    /// Leave out addresses matching GLOB (`*` any characters, `?` one).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Do not report changes of these fields (e.g. `mtime,uid` or `pvd`).
    #[arg(long, value_name = "FIELD,...", value_delimiter = ',')]
    ignore: Vec<String>,
    /// Deepest container nesting to open.
    #[arg(long, default_value_t = 16)]
    max_depth: usize,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Print no report on standard output; only the exit code tells.
    #[arg(long, short)]
    quiet: bool,
    /// Do not compute the two input files' SHA-256 for the reports, which
    /// then show none (`sha256` is empty in the JSON report): for a
    /// service that hashed the files already. On large images the two
    /// digests cost more CPU than the comparison itself. Two folders keep
    /// theirs (every file is hashed to pair the artifacts anyway). Not
    /// with --attest, which checks them against the files.
    #[arg(long, conflicts_with = "attest")]
    no_input_digests: bool,
    /// Stop comparing after SECS seconds (fractions allowed) and write the
    /// reports with what was reached: the verdict stays exact, entries not
    /// reached are compared by hash only, with the reason `timeout`.
    #[arg(long, value_name = "SECS", value_parser = engine::parse_seconds)]
    timeout: Option<Duration>,
    /// Cap each report written at BYTES (suffixes K, M, G: powers of 1024):
    /// the JSON report leaves out whole nodes and says how many, text and
    /// Markdown stop at a line with a note of what was left out.
    #[arg(long, value_name = "BYTES", value_parser = budget::parse_size)]
    max_report_size: Option<u64>,
    /// Hold at most BYTES of decoded data for a pair of compressed streams
    /// (suffixes K, M, G: powers of 1024; default 512M). A pair decoding
    /// to more is compared as it is decoded, by digest: the verdict stays
    /// exact, the report gives the reason and the first differing offset.
    #[arg(long, value_name = "BYTES", value_parser = budget::parse_size)]
    max_memory: Option<u64>,
}

#[derive(Subcommand)]
enum Cmd {
    /// List the nested tree of one image: one entry a line with its full
    /// address (container levels joined by `::`).
    Ls {
        image: PathBuf,
        /// Only list addresses starting with this prefix.
        prefix: Option<String>,
        /// Print the listing as JSON.
        #[arg(long)]
        json: bool,
        /// Also print every container's decoded header fields.
        #[arg(long)]
        fields: bool,
        /// Deepest container nesting to open.
        #[arg(long, default_value_t = 16)]
        max_depth: usize,
        /// Hold at most half of BYTES of one decoded tar or cpio archive
        /// (suffixes K, M, G: powers of 1024; default 512M). A larger one
        /// is listed as it decodes, decoded twice and never held, and its
        /// members are looked into only up to a quarter of BYTES.
        #[arg(long, value_name = "BYTES", value_parser = budget::parse_size)]
        max_memory: Option<u64>,
    },
    /// Print the differing byte regions of two images and what owns them.
    Locate {
        a: PathBuf,
        b: PathBuf,
        /// Print the regions as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write both versions of one nested entry to DIR/a/ and DIR/b/.
    Extract {
        a: PathBuf,
        b: PathBuf,
        /// The entry's address, as `ls` prints it.
        address: String,
        /// Output folder; nothing is written outside it.
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
    },
    /// Browse a comparison in the terminal: `view A B` compares then opens
    /// the browser at once, `view report.json` opens a saved JSON report.
    View {
        /// Two images, or one JSON report.
        #[arg(required = true, num_args = 1..=2, value_name = "A B | REPORT")]
        inputs: Vec<PathBuf>,
    },
    /// Print a completion script for a shell (bash, zsh, fish, elvish,
    /// powershell) to standard output.
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff) to standard output.
    Man,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Whether to colour output going to a terminal (or not): `auto`
    /// colours terminals only, and none when NO_COLOR is set and not empty.
    fn enabled(self, terminal: bool) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Writes one report to a new file.
/// The report cut to fit `cap` as `measure` sizes one kind of report, with
/// a warning when even its smallest form is over the cap (it is written
/// anyway: a report over the cap beats none).
fn fit_or_warn<'r>(
    kind: &str,
    report: &'r reprodiff::report::Report,
    cap: Option<u64>,
    measure: impl Fn(&reprodiff::report::Report) -> u64,
) -> budget::Fitted<'r> {
    let fitted = budget::fit(report, cap, measure);
    if let (Some(size), Some(cap)) = (fitted.size, cap) {
        if size > cap {
            eprintln!(
                "reprodiff: the {kind} report's smallest form, {size} bytes, is over the {cap}-byte limit"
            );
        }
    }
    fitted
}

fn write_file(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<()> {
    // Large reports are tens of MB: written 256 KiB at a time, not 8.
    let mut w = BufWriter::with_capacity(
        256 * 1024,
        File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    write(&mut w)?;
    w.flush()?;
    Ok(())
}

/// Allocations of 128 KiB and more get their own mapping, returned to the
/// system when freed. glibc otherwise raises that threshold to the largest
/// block freed so far (up to 32 MiB), after which decoded blocks, listings
/// and decode buffers come from heaps it keeps: on the live ISO pair that
/// held peak anonymous memory at 43 MiB instead of 25, at no cost in time.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only tunes the allocator; it runs first thing in main,
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}

fn main() -> ExitCode {
    return_large_blocks_to_the_system();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`reprodiff ls x | head`) is not an error worth a message.
            if e.downcast_ref::<io::Error>()
                .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("reprodiff: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.cmd {
        Some(Cmd::Ls {
            image,
            prefix,
            json,
            fields,
            max_depth,
            max_memory,
        }) => {
            let mut opts = WalkOptions::default();
            opts.limits.max_depth = max_depth;
            if let Some(m) = max_memory {
                opts.max_memory = m;
            }
            let blob = reprodiff_formats::Blob::open(&image)
                .with_context(|| format!("cannot read {}", image.display()))?;
            // Streamed: each entry is written as the walk meets it.
            let under = prefix.as_deref();
            let mut w = BufWriter::new(io::stdout().lock());
            if json {
                let mut out = ls::JsonStream::start(&mut w, &image.display().to_string())?;
                walk::stream(&blob, &opts, &mut |n| {
                    if ls::listed(&n.address, under) {
                        out.row(&ls::Row::of(n))?;
                    }
                    Ok(())
                })?;
                out.finish()?;
            } else {
                let text = ls::TextOptions { fields };
                let mut s = Sanitize(&mut w);
                walk::stream(&blob, &opts, &mut |n| {
                    if ls::listed(&n.address, under) {
                        ls::write_text_row(&ls::Row::of(n), &mut s, &text)?;
                    }
                    Ok(())
                })?;
            }
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Locate { a, b, json }) => {
            let report = compare(&a, &b, &Options::default())?;
            let mut w = BufWriter::new(io::stdout().lock());
            if json {
                serde_json::to_writer_pretty(&mut w, &report.regions)?;
                writeln!(w)?;
            } else {
                text::write_regions(&report, &mut Sanitize(&mut w))?;
            }
            w.flush()?;
            Ok(verdict_code(report.verdict))
        }
        Some(Cmd::Extract {
            a,
            b,
            address,
            output,
        }) => extract(&a, &b, &address, &output),
        Some(Cmd::View { inputs }) => view(&inputs),
        Some(Cmd::Completions { shell }) => {
            let mut w = io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "reprodiff", &mut w);
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Man) => {
            let mut w = io::stdout().lock();
            clap_mangen::Man::new(Cli::command()).render(&mut w)?;
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let c = cli.compare;
            let (Some(a), Some(b)) = (c.a, c.b) else {
                bail!("two images are needed: reprodiff A B");
            };
            if let Some(n) = c.threads {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build_global()
                    .context("cannot start the worker threads")?;
            }
            let mut opts = Options {
                ignore: c.ignore,
                exclude: c.exclude,
                ..Options::default()
            };
            opts.limits.max_depth = c.max_depth;
            opts.deadline = c.timeout.map(|t| Instant::now() + t);
            if let Some(m) = c.max_memory {
                opts.max_memory = m;
            }
            // Only the exit code is wanted: the input digests would not be shown.
            opts.digests = !c.no_input_digests
                && (!c.quiet
                    || c.json.is_some()
                    || c.text.is_some()
                    || c.markdown.is_some()
                    || c.attest.is_some()
                    || c.html.is_some());
            let report = if c.quiet {
                compare(&a, &b, &opts)?
            } else {
                with_progress(&mut opts, |opts| compare(&a, &b, opts))?
            };
            let cap = c.max_report_size;
            // The report on standard output (or in `--text`'s file) is
            // written while the other reports are: on a large report
            // (a 38 MB JSON) each is a tenth of a second or more.
            std::thread::scope(|s| -> Result<()> {
                let shown = s.spawn(|| -> Result<()> {
                    let to_stdout = !c.quiet && c.json.as_deref() != Some(Path::new("-"));
                    let mut text_options = text::TextOptions {
                        max_routine: c.max_routine,
                        ..text::TextOptions::default()
                    };
                    if let Some(path) = &c.text {
                        text_options.color = c.color.enabled(false);
                        write_file(path, |w| {
                            let mut w = Capped::new(w, cap);
                            text::write(&report, &mut w, &text_options)?;
                            w.finish().map(|_| ())
                        })?;
                    } else if to_stdout {
                        use std::io::IsTerminal;
                        text_options.color = c.color.enabled(io::stdout().is_terminal());
                        let mut w = Capped::new(BufWriter::new(io::stdout().lock()), cap);
                        text::write(&report, &mut w, &text_options)?;
                        w.finish()?.flush()?;
                    }
                    Ok(())
                });
                if let Some(path) = &c.json {
                    let fitted = fit_or_warn("JSON", &report, cap, json::size);
                    if path.as_os_str() == "-" {
                        let mut w = BufWriter::new(io::stdout().lock());
                        json::write(&fitted.report, &mut w)?;
                        w.flush()?;
                    } else {
                        write_file(path, |w| json::write(&fitted.report, w))?;
                    }
                }
                if let Some(path) = &c.markdown {
                    let o = markdown::MarkdownOptions::default();
                    write_file(path, |w| {
                        let mut w = Capped::closing(w, cap, markdown::Open::default());
                        markdown::write(&report, &mut w, &o)?;
                        w.finish().map(|_| ())
                    })?;
                }
                if let Some(path) = &c.diffoscope_json {
                    let fitted = fit_or_warn("diffoscope JSON", &report, cap, |r| {
                        budget::measure(|w| diffoscope::write(r, w))
                    });
                    write_file(path, |w| diffoscope::write(&fitted.report, w))?;
                }
                if let Some(path) = &c.attest {
                    let options = reprodiff::attest::options(&a, &b, &report)
                        .context("cannot digest the inputs for the attestation")?;
                    write_file(path, |w| attest::write(&report, w, &options))?;
                }
                if let Some(path) = &c.html {
                    let o = html::HtmlOptions {
                        max_routine: c.max_routine,
                        ..html::HtmlOptions::default()
                    };
                    let fitted = fit_or_warn("HTML", &report, cap, |r| {
                        budget::measure(|w| html::write(r, w, &o))
                    });
                    write_file(path, |w| html::write(&fitted.report, w, &o))?;
                }
                shown
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("the text report's writer stopped")))
            })?;
            let code = verdict_code(report.verdict);
            // The process ends with this command: the report's nodes are
            // left to the exit, not freed one by one (5 ms of the main
            // thread's time on a package of 1,412 differing man pages).
            std::mem::forget(report);
            Ok(code)
        }
    }
}

/// Runs `work` with a progress line on standard error (drawn only when it is
/// a terminal): bytes checked and entries compared, updated ten times a second.
fn with_progress<T>(opts: &mut Options, work: impl FnOnce(&Options) -> T) -> T {
    let progress = Arc::new(Progress::default());
    opts.progress = Some(progress.clone());
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    // The ticker waits on a channel, not a sleep: dropping the sender ends it
    // at once instead of up to one tick (100 ms) after the work.
    let (done, wait) = std::sync::mpsc::channel::<()>();
    let ticker = {
        let (bar, progress) = (bar.clone(), progress.clone());
        std::thread::spawn(move || loop {
            bar.set_message(format!(
                "{} checked, {} entries compared",
                HumanBytes(progress.bytes.load(Ordering::Relaxed)),
                progress.entries.load(Ordering::Relaxed)
            ));
            bar.tick();
            if wait.recv_timeout(Duration::from_millis(100))
                != Err(std::sync::mpsc::RecvTimeoutError::Timeout)
            {
                break;
            }
        })
    };
    let out = work(opts);
    drop(done);
    let _ = ticker.join();
    bar.finish_and_clear();
    out
}

fn compare(a: &Path, b: &Path, opts: &Options) -> Result<reprodiff::report::Report> {
    check_inputs(a, b)?;
    reprodiff::compare_paths(a, b, opts).context("cannot read the inputs")
}

/// Two files, or two folders of artifacts.
fn check_inputs(a: &Path, b: &Path) -> Result<()> {
    if a.is_dir() && b.is_dir() {
        return Ok(());
    }
    for p in [a, b] {
        if p.is_dir() {
            bail!(
                "{}: a folder can only be compared with a folder",
                p.display()
            );
        }
        if !p.is_file() {
            bail!("{}: not a readable file or folder", p.display());
        }
    }
    Ok(())
}

/// Opens the browser. With two images the engine runs on another thread:
/// finished subtrees and then the report arrive over a channel. Quitting
/// early sets the cancel flag, gives the engine a moment to wind down, then
/// leaves whatever it is still doing (one large leaf diff at most) to end
/// with the process.
fn view(inputs: &[PathBuf]) -> Result<ExitCode> {
    use reprodiff_tui::{Hooks, Source, Update};
    let mut worker = None;
    let (source, images) = match inputs {
        [report] => {
            let file =
                File::open(report).with_context(|| format!("cannot read {}", report.display()))?;
            let report: reprodiff::report::Report =
                serde_json::from_reader(io::BufReader::new(file)).with_context(|| {
                    format!("{}: not a reprodiff JSON report", report.display())
                })?;
            // The report names its images; extraction works when they are still there.
            let images = [PathBuf::from(&report.a.path), PathBuf::from(&report.b.path)];
            let images = images.iter().all(|p| p.exists()).then_some(images);
            (Source::Report(Box::new(report)), images)
        }
        [a, b] => {
            check_inputs(a, b)?;
            let (tx, rx) = std::sync::mpsc::channel();
            let progress = Arc::new(Progress::default());
            let cancel = Arc::new(AtomicBool::new(false));
            let streamed = tx.clone();
            let opts = Options {
                progress: Some(progress.clone()),
                cancel: Some(cancel.clone()),
                // Called from the engine's worker threads as members finish.
                on_subtree: Some(engine::OnSubtree::new(move |n| {
                    let mut n = n.clone();
                    reprodiff::diagnose::provisional(&mut n);
                    let _ = streamed.send(Update::Subtree(Box::new(n)));
                })),
                ..Options::default()
            };
            let (ta, tb) = (a.clone(), b.clone());
            let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
            std::thread::spawn(move || {
                let r = reprodiff::compare_paths(&ta, &tb, &opts)
                    .map(Box::new)
                    .map_err(|e| format!("{e:#}"));
                let _ = tx.send(Update::Done(r));
                let _ = done_tx.send(());
            });
            let label = format!("{} ↔ {}", a.display(), b.display());
            let counters = progress.clone();
            let progress: reprodiff_tui::ProgressFn = Box::new(move || {
                (
                    counters.entries.load(Ordering::Relaxed),
                    counters.bytes.load(Ordering::Relaxed),
                )
            });
            worker = Some((cancel, done_rx));
            (
                Source::Pending {
                    label,
                    rx,
                    progress: Some(progress),
                },
                Some([a.clone(), b.clone()]),
            )
        }
        _ => bail!("view takes two images or one JSON report"),
    };
    let mut hooks = Hooks::default();
    if let Some([a, b]) = images {
        hooks.extract = Some(Box::new(move |address: &str, out: &Path| {
            extract_quiet(&a, &b, address, out).map_err(|e| format!("{e:#}"))
        }));
    }
    let result = reprodiff_tui::run(source, hooks);
    if let Some((cancel, done)) = worker {
        cancel.store(true, Ordering::Relaxed);
        let _ = done.recv_timeout(Duration::from_millis(500));
    }
    result.context("terminal error")?;
    Ok(ExitCode::SUCCESS)
}

fn verdict_code(v: Verdict) -> ExitCode {
    match v {
        Verdict::Identical => ExitCode::SUCCESS,
        Verdict::Different => ExitCode::from(1),
    }
}

/// A file name that cannot climb out of the folder it is joined to.
fn safe_name(address: &str) -> String {
    clean_name(reprodiff::report::Address::new(address).name())
}

/// The file name for an entry found at an address: its own path's last
/// component (`Media::Convert.3pm.gz`, where the address alone would split
/// at the name's `::`), made safe as [`safe_name`] does.
fn entry_file_name(entry: &Entry) -> String {
    let path = entry.path.trim_end_matches('/');
    clean_name(path.rsplit('/').next().unwrap_or(path))
}

fn clean_name(last: &str) -> String {
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c == '\0' || c == '\\' || c == '/' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    match cleaned.as_str() {
        "" | "." | ".." => "entry".to_string(),
        _ if cleaned.starts_with('<') && cleaned.ends_with('>') => cleaned
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string(),
        _ => cleaned,
    }
}

fn extract(a: &Path, b: &Path, address: &str, out: &Path) -> Result<ExitCode> {
    let (lines, written) = extract_sides(a, b, address, out)?;
    for line in lines {
        eprintln!("{line}");
    }
    if !written {
        bail!("{address}: found in neither image");
    }
    Ok(ExitCode::SUCCESS)
}

/// Extraction for the browser: one line saying where both sides went.
fn extract_quiet(a: &Path, b: &Path, address: &str, out: &Path) -> Result<String> {
    let (lines, written) = extract_sides(a, b, address, out)?;
    if !written {
        bail!("found in neither image ({})", lines.join("; "));
    }
    Ok(lines.join("; "))
}

/// The entry at `address` in an image, or in a folder of artifacts (its
/// first level the artifact's relative path): the entry, or `None` for a
/// whole artifact, and its bytes.
fn resolve(image: &Path, address: &str, limits: &Limits) -> Result<(Option<Entry>, Blob)> {
    let (blob, rest) = if image.is_dir() {
        engine::folder::open_artifact(image, address)?
    } else {
        let blob = Blob::open(image).with_context(|| format!("cannot read {}", image.display()))?;
        (blob, address)
    };
    if rest.is_empty() && image.is_dir() {
        return Ok((None, blob));
    }
    let (entry, data) = address::resolve(&blob, rest, limits)?;
    Ok((Some(entry), data))
}

/// Writes both sides of `address` under `out`; one line per side saying
/// where it went or why it was not found, and whether any side was written.
fn extract_sides(a: &Path, b: &Path, address: &str, out: &Path) -> Result<(Vec<String>, bool)> {
    let mut lines = Vec::new();
    let limits = Options::default().limits;
    let name = safe_name(address);
    let mut written = 0;
    for (side, image) in [("a", a), ("b", b)] {
        match resolve(image, address, &limits) {
            Ok((entry, data)) => {
                let dir = out.join(side);
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                let dest = dir.join(entry.as_ref().map_or_else(|| name.clone(), entry_file_name));
                if dest
                    .symlink_metadata()
                    .is_ok_and(|m| m.file_type().is_symlink())
                {
                    bail!(
                        "{}: refusing to write through a symbolic link",
                        dest.display()
                    );
                }
                let kind = entry.as_ref().map_or(Kind::File, |e| e.kind);
                let bytes: &[u8] = match (&entry, kind) {
                    (Some(e), Kind::Symlink | Kind::Hardlink) if data.is_empty() => {
                        e.meta.target.as_deref().unwrap_or("").as_bytes()
                    }
                    _ => data.bytes(),
                };
                std::fs::write(&dest, bytes)
                    .with_context(|| format!("cannot write {}", dest.display()))?;
                lines.push(format!(
                    "{side}: {} ({} bytes, {})",
                    dest.display(),
                    bytes.len(),
                    kind.as_str()
                ));
                written += 1;
            }
            Err(e) => lines.push(format!("{side}: {e}")),
        }
    }
    Ok((lines, written > 0))
}

#[cfg(test)]
mod tests {
    use super::{entry_file_name, safe_name};

    #[test]
    fn extracted_names_are_the_entrys_own() {
        let entry = |path: &str| reprodiff_formats::Entry::new(path, reprodiff_formats::Kind::File);
        assert_eq!(
            entry_file_name(&entry("./usr/share/man/man3/Media::Convert.3pm.gz")),
            "Media::Convert.3pm.gz"
        );
        assert_eq!(entry_file_name(&entry("usr/share/doc/")), "doc");
        assert_eq!(entry_file_name(&entry("../..")), "entry");
        assert_eq!(entry_file_name(&entry("<segment-2>")), "segment-2");
    }

    #[test]
    fn extracted_names_stay_inside() {
        assert_eq!(safe_name("x.deb::data.tar.xz::./usr/bin/foo"), "foo");
        assert_eq!(safe_name("a::../../etc/passwd"), "passwd");
        assert_eq!(safe_name("a::.."), "entry");
        assert_eq!(safe_name("a::dir/"), "dir");
        assert_eq!(safe_name("initrd::<segment-2>"), "segment-2");
        assert_eq!(safe_name(""), "entry");
        assert_eq!(safe_name("a::/"), "_");
        assert_eq!(safe_name("a::///"), "___");
    }
}

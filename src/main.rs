//! The `reprodiff` command line: parses arguments, calls one library function
//! per subcommand and maps the outcome to an exit code (0 identical / success,
//! 1 different, 2 error).

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use reprodiff::present::ls;
use reprodiff::walk::{self, WalkOptions};

#[derive(Parser)]
#[command(name = "reprodiff", version, about = "Show where and why two builds of a disk image differ")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
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
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("reprodiff: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.cmd {
        Cmd::Ls {
            image,
            prefix,
            json,
            fields,
            max_depth,
        } => {
            let mut opts = WalkOptions::default();
            opts.limits.max_depth = max_depth;
            let root = walk::walk_file(&image, &opts)
                .with_context(|| format!("cannot read {}", image.display()))?;
            let rows = ls::rows(&root, prefix.as_deref());
            let stdout = io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            if json {
                ls::write_json(&image.display().to_string(), &rows, &mut w)?;
            } else {
                ls::write_text(&rows, &mut w, &ls::TextOptions { fields })?;
            }
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

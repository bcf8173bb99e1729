//! The command line, declared with clap. Parsing only: `main` resolves and
//! checks what is asked before any work starts.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "brief",
    about = "Markdown briefs in; PDF, EPUB and e-mail text editions out"
)]
#[command(version = crate::version::LONG, long_version = crate::version::LONG)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Run as if brief was started in DIR.
    #[arg(short = 'C', long = "directory", value_name = "DIR", global = true)]
    pub directory: Option<PathBuf>,
    /// The project's settings file. Default: the nearest brief.toml in the
    /// current folder or above it; its folder is the project.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// How diagnostics are printed: `human` (the source line and a caret;
    /// colour on a terminal unless NO_COLOR is set, or with
    /// CLICOLOR_FORCE=1) or `json` (one object per line on stdout, for
    /// scripts and CI).
    #[arg(long, value_enum, default_value = "human", global = true)]
    pub message_format: MessageFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build every edition of every post (or of the posts named).
    Build(BuildArgs),
    /// Build, then build again whenever a post, image, template, font or
    /// brief.toml changes (Ctrl-C stops). Takes the options of build.
    Watch(BuildArgs),
    /// Remove what builds wrote: every file the output folder's manifest
    /// lists, the manifest, and the build cache.
    Clean(CleanArgs),
    /// Read and check every post without writing anything.
    Check(CheckArgs),
    /// Send the built e-mail messages over SMTP. A dry run (who would get
    /// what) unless --yes is given.
    Send(SendArgs),
    /// Put the output folders of a sharded build (`build --shard K/N`)
    /// together into one, with one manifest; refuses shards that overlap,
    /// are missing, or disagree.
    Merge(MergeArgs),
    /// Print the summaries of the named posts (as summary e-mails and
    /// packet digests print them), to review before sending. Writes nothing.
    Summary {
        /// Folder of posts, searched recursively.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// Slugs of the posts to summarise.
        slugs: Vec<String>,
    },
    /// Check that files are, byte for byte, ones a build wrote: each
    /// file's SHA-256 against the build's manifest. Exit 0 only when every
    /// file matches. Needs no project.
    Verify {
        /// The build's manifest [default: output/manifest.json; when that
        /// is absent, only PDF signatures are checked].
        #[arg(long, value_name = "PATH")]
        manifest: Option<PathBuf>,
        /// PDF, EPUB, text or .eml files brief wrote.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print one post's document model (IR) as JSON.
    DumpIr {
        /// The post to read.
        file: PathBuf,
    },
    /// Write the Typst sources of one post's PDF (main.typ, post.json,
    /// templates/brief.typ) to a folder, for `typst compile --root DIR`.
    DumpTypst {
        /// The post to read.
        file: PathBuf,
        /// Folder to write into (created if needed).
        dir: PathBuf,
    },
    /// Start a project in DIR (default: the current folder): brief.toml
    /// with every key explained, an example post, a cover letter and a
    /// packet, ready to build. Never overwrites a file.
    Init {
        /// Folder of the new project (created if needed).
        dir: Option<PathBuf>,
    },
    /// Write a new post, content/<slug>.md, dated today. Never overwrites.
    New {
        /// The post's title.
        title: String,
    },
    /// The embedded templates.
    Templates {
        #[command(subcommand)]
        action: TemplatesAction,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff) to stdout: `brief man | man -l -`.
    Man,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesAction {
    /// Write the embedded templates (brief.typ, packet.typ, cover.typ, epub.css, or
    /// the ones named) into templates/, to customise them. The project's
    /// templates/ then take the place of the embedded ones.
    Eject {
        /// Templates to write. Default: all three.
        names: Vec<String>,
        /// Replace templates that are already there.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// Folder of posts, searched recursively for *.md and *.markdown.
    #[arg(long, default_value = "content")]
    pub content: PathBuf,
    /// Folder the editions are written to.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Editions to build, comma-separated: pdf, epub, email. Default: all
    /// that this build of brief supports.
    #[arg(long, value_delimiter = ',')]
    pub format: Vec<String>,
    /// Worker threads. Default: all cores.
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Print errors only (no warnings, no summary).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Also build posts marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// E-mail messages carry the summary edition instead of the full text
    /// (as `[email] summary = true`).
    #[arg(long)]
    pub summary: bool,
    /// Hide every `[[redact: …]]` text in every output of this build (as
    /// `redact = true` on every packet, and for each post's own editions).
    #[arg(long)]
    pub redact: bool,
    /// Keep the build cache in DIR instead of OUT/.brief-cache (to share
    /// one between output folders or CI runners).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
    /// Render every output again; use and keep no cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Also print what is done: each file written, rendered or removed.
    #[arg(long, short = 'v', conflicts_with = "quiet")]
    pub verbose: bool,
    /// Warnings fail the build (exit 1), as errors do.
    #[arg(long)]
    pub strict: bool,
    /// Render only shard K of N (counted from 1) of the outputs, split by
    /// a stable hash of each post, packet and addressed copy; `brief
    /// merge` puts the shards' output folders together. Also
    /// BRIEF_SHARD=K/N.
    #[arg(long, value_name = "K/N", conflicts_with = "shards")]
    pub shard: Option<String>,
    /// Split into N shards, this one's index read from
    /// JOB_COMPLETION_INDEX (counted from 0, as a Kubernetes Indexed Job
    /// sets it).
    #[arg(long, value_name = "N")]
    pub shards: Option<usize>,
    /// Build just these posts; a folder builds the posts in it.
    pub paths: Vec<PathBuf>,
}

impl BuildArgs {
    /// Where this build keeps its cache.
    pub fn cache(&self) -> crate::cache::Setting {
        match (&self.cache_dir, self.no_cache) {
            (_, true) => crate::cache::Setting::Off,
            (Some(dir), false) => crate::cache::Setting::Dir(dir.clone()),
            (None, false) => crate::cache::Setting::InOutput,
        }
    }
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' output folders, each with its manifest.json.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// The folder to merge into.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct CleanArgs {
    /// The output folder to empty of what builds wrote.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Also remove the entries of this shared cache folder.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Folder of posts, searched recursively.
    #[arg(long, default_value = "content")]
    pub content: PathBuf,
    /// Warnings fail the check (exit 1), as errors do.
    #[arg(long)]
    pub strict: bool,
    /// Check just these posts; a folder checks the posts in it.
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// Folder of posts (to find each post's message and title).
    #[arg(long, default_value = "content")]
    pub content: PathBuf,
    /// Folder the messages were built into; `sent.jsonl` is kept there.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Send a packet's messages instead of posts.
    #[arg(long, value_name = "NAME", conflicts_with = "slugs")]
    pub packet: Option<String>,
    /// Really send. Without it nothing is sent.
    #[arg(long)]
    pub yes: bool,
    /// Also send again the messages whose outcome an earlier run could not
    /// know (it was interrupted after sending them); the recipient may get
    /// them twice.
    #[arg(long)]
    pub resend_uncertain: bool,
    /// Send just the messages of these posts (by slug). Default: every
    /// post that is not a draft.
    pub slugs: Vec<String>,
}

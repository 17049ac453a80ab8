//! Verilating a design into a cached shared library.
//!
//! See [`build`] for the steps, the cache key and the cache layout.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::error::SimError;
use crate::wrapper::{self, PREFIX, TEMPLATE_VERSION};

/// The library's file name inside a cache entry.
const LIB_NAME: &str = "libsim.so";
/// Jobs for make: the build machines have 2 cores.
const MAKE_JOBS: &str = "2";
/// Widest port accepted (Verilator handles more, but nothing in bitloom needs it).
const MAX_PORT_BITS: usize = 1 << 16;
/// Lines of tool output kept in an error message.
const ERROR_TAIL_LINES: usize = 80;

/// Verilator flags besides files, top and trace; part of the cache key.
const VERILATOR_FLAGS: &[&str] = &[
    "--cc",
    "--exe",
    "-O3",
    "--no-timing",
    "-Wno-fatal",
    "-Wno-STMTDLY",
    "-CFLAGS",
    "-fPIC",
    "-CFLAGS",
    "-fvisibility=hidden",
    "-CFLAGS",
    "-fvisibility-inlines-hidden",
    "-CFLAGS",
    "-DVL_USER_FATAL",
    "-CFLAGS",
    "-DVL_USER_STOP",
    "-CFLAGS",
    "-DVL_USER_FINISH",
    "-CFLAGS",
    "-DVL_USER_WARN",
    "-LDFLAGS",
    "-shared",
];
/// Make variables; part of the cache key.
const MAKE_VARS: &[&str] = &["OPT_FAST=-O2", "OPT_GLOBAL=-O2"];

/// What to build: the Verilog sources, the top module and its port widths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRequest {
    /// Verilog/SystemVerilog sources, in the order given to Verilator.
    pub rtl_files: Vec<PathBuf>,
    /// The top module; it must have the ports of the contract (see the crate doc).
    pub top: String,
    /// Width of `in_data`.
    pub in_bits: usize,
    /// Width of `out_data`.
    pub out_bits: usize,
    /// Build with VCD tracing support (`--trace`); needed for [`Sim::trace_open`](crate::Sim::trace_open).
    pub trace: bool,
}

/// A built (or cached) simulation library, ready for [`Sim::new`](crate::Sim::new).
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltModel {
    /// `<cache_dir>/<key>/libsim.so`.
    pub lib_path: PathBuf,
    /// The cache key (64 hex digits).
    pub key: String,
    /// True when the library came from the cache and nothing was built.
    pub cached: bool,
    /// Wall time of this call, in seconds.
    pub build_secs: f64,
    pub(crate) in_bits: usize,
    pub(crate) out_bits: usize,
    pub(crate) trace: bool,
}

impl BuiltModel {
    /// Width of `in_data`.
    pub fn in_bits(&self) -> usize {
        self.in_bits
    }
    /// Width of `out_data`.
    pub fn out_bits(&self) -> usize {
        self.out_bits
    }
    /// Whether the library supports VCD tracing.
    pub fn trace(&self) -> bool {
        self.trace
    }
}

/// The default cache directory: `$BITLOOM_CACHE` if set, else `$XDG_CACHE_HOME/bitloom/verilator`,
/// else `$HOME/.cache/bitloom/verilator`, else `bitloom-verilator` in the temp directory.
pub fn default_cache_dir() -> PathBuf {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("BITLOOM_CACHE") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
    {
        return dir.join("bitloom").join("verilator");
    }
    if let Some(home) = var("HOME") {
        return PathBuf::from(home)
            .join(".cache")
            .join("bitloom")
            .join("verilator");
    }
    std::env::temp_dir().join("bitloom-verilator")
}

/// Builds (or finds in `cache_dir`) the simulation library for `req`.
///
/// `progress`, when given, receives one short line per step ("verilating ...",
/// "compiling ...", "built ..." or "cached ..."). Verilator's and make's messages are part of
/// the errors.
///
/// # Steps
///
/// 1. check the request, find `verilator` (and `make`) on `PATH`;
/// 2. compute the cache key; if `<cache_dir>/<key>/libsim.so` exists, return it at once;
/// 3. in a fresh temporary directory inside `cache_dir`: write the generated C++ wrapper
///    (see the `wrapper` module), run
///    `verilator --cc --exe --prefix Vdut --top-module <top> -O3 --no-timing -Wno-fatal
///    [--trace] -CFLAGS -fPIC ... -LDFLAGS -shared -o libsim.so <rtl files> wrapper.cpp`
///    (single-threaded model; warnings such as width mismatches are logged, not fatal;
///    errors fail the build with Verilator's messages);
/// 4. check the model's ports (from the generated header) against the port contract, before
///    spending time on C++;
/// 5. copy the already compiled Verilator run-time objects for these settings (if any) into
///    the build directory, then `make -j 2 -C obj -f Vdut.mk OPT_FAST=-O2 OPT_GLOBAL=-O2`
///    (what `verilator --build -j 2` runs; a separate step allows the port check, the
///    run-time reuse and separate progress messages); store newly compiled run-time objects;
/// 6. move `libsim.so` and the build log into a directory and `rename` that directory to
///    `<cache_dir>/<key>` in one step, so concurrent builders (threads or processes) of the
///    same key never see a half-written library; the loser of such a race uses the winner's.
///
/// # Cache key
///
/// SHA-256 over, each length-prefixed: the contents of every RTL file in order, the top
/// module name, both widths, the trace flag, the wrapper template version,
/// the Verilator and make flags, and the output of `verilator --version`. Memory files are not
/// part of it: they are read when a [`Sim`](crate::Sim) starts. Files pulled in with
/// `` `include `` are not hashed either; pass every source in `rtl_files`.
///
/// # Cache layout
///
/// ```text
/// <cache_dir>/<key>/libsim.so     the model
/// <cache_dir>/<key>/build.log     verilator and make output
/// <cache_dir>/<key>/request.txt   top, widths, trace, files, verilator version
/// <cache_dir>/<key>.failed.log    the full log of the last failed C++ build of that key
/// <cache_dir>/runtime-<hash>/*.o  Verilator's run-time objects (verilated.o, ...), compiled
///                                 once per Verilator version and settings, then copied into
///                                 every build (they take most of a small design's build time)
/// <cache_dir>/.build-*            in-progress builds (left behind only by killed processes)
/// ```
pub fn build(
    req: &BuildRequest,
    cache_dir: &Path,
    progress: Option<&dyn Fn(&str)>,
) -> Result<BuiltModel, SimError> {
    build_with_path(req, cache_dir, progress, std::env::var_os("PATH"))
}

/// [`build`] with an explicit `PATH` (for tests).
pub(crate) fn build_with_path(
    req: &BuildRequest,
    cache_dir: &Path,
    progress: Option<&dyn Fn(&str)>,
    path_var: Option<OsString>,
) -> Result<BuiltModel, SimError> {
    let start = Instant::now();
    let report = |msg: &str| {
        if let Some(p) = progress {
            p(msg)
        }
    };
    // First of all: nothing works without Verilator (its version is part of the cache key).
    let verilator =
        find_in_path("verilator", path_var.as_deref()).ok_or(SimError::VerilatorNotFound)?;
    check_request(req)?;
    // Absolute, so that make (which runs in the build directory) and `Sim::new` (from any
    // working directory) find everything.
    let cache_dir = &std::path::absolute(cache_dir).map_err(|e| {
        SimError::io(
            format!("cannot resolve cache directory {}", cache_dir.display()),
            e,
        )
    })?;
    let version = verilator_version(&verilator)?;

    let sources = req
        .rtl_files
        .iter()
        .map(|p| {
            fs::read(p)
                .map_err(|e| SimError::io(format!("cannot read RTL file {}", p.display()), e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let key = cache_key(&sources, req, &version);
    let entry = cache_dir.join(&key);
    let lib_path = entry.join(LIB_NAME);
    let done = |cached: bool| BuiltModel {
        lib_path: lib_path.clone(),
        key: key.clone(),
        cached,
        build_secs: start.elapsed().as_secs_f64(),
        in_bits: req.in_bits,
        out_bits: req.out_bits,
        trace: req.trace,
    };
    if lib_path.is_file() {
        report(&format!("cached {} ({})", req.top, &key[..12]));
        return Ok(done(true));
    }

    // One builder per key in this process; others wait and then find the cache entry.
    let key_lock = key_lock(&key);
    let _guard = key_lock.lock().unwrap_or_else(|e| e.into_inner());
    if lib_path.is_file() {
        report(&format!("cached {} ({})", req.top, &key[..12]));
        return Ok(done(true));
    }
    let make = find_in_path("make", path_var.as_deref()).ok_or(SimError::ToolNotFound {
        tool: "make",
        hint: "install it with `apt-get install make g++`",
    })?;

    fs::create_dir_all(cache_dir).map_err(|e| {
        SimError::io(
            format!("cannot create cache directory {}", cache_dir.display()),
            e,
        )
    })?;
    let tmp = tempfile::Builder::new()
        .prefix(".build-")
        .tempdir_in(cache_dir)
        .map_err(|e| {
            SimError::io(
                format!("cannot create a build directory in {}", cache_dir.display()),
                e,
            )
        })?;
    let obj = tmp.path().join("obj");
    let wrapper_path = tmp.path().join("bitloom_wrapper.cpp");
    fs::write(
        &wrapper_path,
        wrapper::wrapper_source(&req.top, req.in_bits, req.out_bits, req.trace),
    )
    .map_err(|e| SimError::io(format!("cannot write {}", wrapper_path.display()), e))?;

    // Verilate.
    report(&format!(
        "verilating {} ({} file(s))",
        req.top,
        req.rtl_files.len()
    ));
    let mut cmd = Command::new(&verilator);
    cmd.args(VERILATOR_FLAGS)
        .arg("--prefix")
        .arg(PREFIX)
        .arg("--top-module")
        .arg(&req.top)
        .arg("--Mdir")
        .arg(&obj)
        .arg("-o")
        .arg(LIB_NAME);
    if req.trace {
        cmd.arg("--trace");
    }
    cmd.args(&req.rtl_files).arg(&wrapper_path);
    let verilated = run(&mut cmd, "verilator")?;
    let mut log = String::new();
    append_log(&mut log, "verilator", &verilated);
    let warnings = combined(&verilated)
        .lines()
        .filter(|l| l.starts_with("%Warning"))
        .count();
    if warnings > 0 {
        report(&format!(
            "verilator: {warnings} warning line(s), see build.log in the cache entry"
        ));
    }
    let header_path = obj.join(format!("{PREFIX}.h"));
    if !verilated.status.success() || !header_path.is_file() {
        return Err(SimError::Verilate {
            top: req.top.clone(),
            status: verilated.status.to_string(),
            output: tail(&combined(&verilated), ERROR_TAIL_LINES),
        });
    }

    // Check the ports before compiling.
    let header = fs::read_to_string(&header_path)
        .map_err(|e| SimError::io(format!("cannot read {}", header_path.display()), e))?;
    wrapper::check_ports(&wrapper::parse_ports(&header), req.in_bits, req.out_bits).map_err(
        |detail| SimError::PortMismatch {
            top: req.top.clone(),
            detail,
        },
    )?;

    // Reuse the design-independent Verilator run-time objects (verilated.o, ...) compiled by
    // an earlier build with the same settings: they are most of a small design's build time.
    let runtime = Runtime::find(cache_dir, &obj, &version);
    let reused = runtime
        .as_ref()
        .map(|r| r.copy_into(&obj))
        .unwrap_or_default();

    // Compile.
    report(&format!(
        "compiling C++ for {} (make -j{MAKE_JOBS})",
        req.top
    ));
    let mut cmd = Command::new(&make);
    cmd.arg("-j")
        .arg(MAKE_JOBS)
        .arg("-C")
        .arg(&obj)
        .arg("-f")
        .arg(format!("{PREFIX}.mk"))
        .args(MAKE_VARS)
        // A parent make's jobserver settings must not leak into this build.
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .env_remove("MAKELEVEL");
    let made = run(&mut cmd, "make")?;
    append_log(&mut log, "make", &made);
    let built_lib = obj.join(LIB_NAME);
    if !made.status.success() || !built_lib.is_file() {
        let failed_log = cache_dir.join(format!("{key}.failed.log"));
        // Best effort: the error below carries the tail of the log anyway.
        let _ = fs::write(&failed_log, &log);
        return Err(SimError::Compile {
            top: req.top.clone(),
            output: tail(&combined(&made), ERROR_TAIL_LINES),
            log: failed_log,
        });
    }

    if let Some(runtime) = &runtime {
        runtime.publish_from(&obj, &reused);
    }
    let _ = fs::remove_file(cache_dir.join(format!("{key}.failed.log")));

    // Publish atomically.
    let staged = tmp.path().join("entry");
    fs::create_dir(&staged)
        .map_err(|e| SimError::io(format!("cannot create {}", staged.display()), e))?;
    fs::rename(&built_lib, staged.join(LIB_NAME))
        .map_err(|e| SimError::io(format!("cannot move {}", built_lib.display()), e))?;
    fs::write(staged.join("build.log"), &log)
        .map_err(|e| SimError::io("cannot write build.log", e))?;
    fs::write(staged.join("request.txt"), describe(req, &version))
        .map_err(|e| SimError::io("cannot write request.txt", e))?;
    if let Err(e) = fs::rename(&staged, &entry) {
        // Another process published the same key first: theirs is as good as ours.
        if !lib_path.is_file() {
            return Err(SimError::io(
                format!("cannot move the build into {}", entry.display()),
                e,
            ));
        }
    }
    report(&format!(
        "built {} in {:.1} s",
        req.top,
        start.elapsed().as_secs_f64()
    ));
    Ok(done(false))
}

fn check_request(req: &BuildRequest) -> Result<(), SimError> {
    let bad = |msg: String| Err(SimError::InvalidRequest(msg));
    if req.rtl_files.is_empty() {
        return bad("no RTL files given".into());
    }
    let ident_ok = req
        .top
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && req
            .top
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if !ident_ok {
        return bad(format!(
            "top module name `{}` is not a Verilog identifier",
            req.top
        ));
    }
    for (name, bits) in [("in_bits", req.in_bits), ("out_bits", req.out_bits)] {
        if bits == 0 || bits > MAX_PORT_BITS {
            return bad(format!("{name} = {bits}, must be in 1..={MAX_PORT_BITS}"));
        }
    }
    for f in &req.rtl_files {
        if !f.is_file() {
            return bad(format!("RTL file {} does not exist", f.display()));
        }
    }
    Ok(())
}

/// The first executable file called `name` in the directories of `path_var`.
pub(crate) fn find_in_path(name: &str, path_var: Option<&OsStr>) -> Option<PathBuf> {
    let path_var = path_var?;
    std::env::split_paths(path_var)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// `verilator --version`, asked once per executable per process.
fn verilator_version(verilator: &Path) -> Result<String, SimError> {
    static VERSIONS: OnceLock<Mutex<HashMap<PathBuf, String>>> = OnceLock::new();
    let versions = VERSIONS.get_or_init(Default::default);
    if let Some(v) = versions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(verilator)
    {
        return Ok(v.clone());
    }
    let out = run(Command::new(verilator).arg("--version"), "verilator")?;
    if !out.status.success() {
        return Err(SimError::Verilate {
            top: String::new(),
            status: out.status.to_string(),
            output: format!("`verilator --version` failed: {}", combined(&out)),
        });
    }
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    versions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(verilator.to_path_buf(), v.clone());
    Ok(v)
}

fn cache_key(sources: &[Vec<u8>], req: &BuildRequest, verilator_version: &str) -> String {
    let mut h = Sha256::new();
    let mut put = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    put(b"bitloom-sim cache key");
    put(&(sources.len() as u64).to_le_bytes());
    for s in sources {
        put(s);
    }
    put(req.top.as_bytes());
    put(&(req.in_bits as u64).to_le_bytes());
    put(&(req.out_bits as u64).to_le_bytes());
    put(&[u8::from(req.trace)]);
    put(&TEMPLATE_VERSION.to_le_bytes());
    put(VERILATOR_FLAGS.join(" ").as_bytes());
    put(MAKE_VARS.join(" ").as_bytes());
    put(verilator_version.as_bytes());
    hex::encode(h.finalize())
}

/// The directory of shared Verilator run-time objects for one set of compile settings.
struct Runtime {
    dir: PathBuf,
    /// Object names without `.o` (`verilated`, `verilated_threads`, ...).
    objects: Vec<String>,
}

impl Runtime {
    /// Reads the run-time objects and the compile settings the verilated model needs from
    /// `<obj>/Vdut_classes.mk`; `None` if that file cannot be read (no reuse then).
    fn find(cache_dir: &Path, obj: &Path, verilator_version: &str) -> Option<Runtime> {
        let classes = fs::read_to_string(obj.join(format!("{PREFIX}_classes.mk"))).ok()?;
        let (objects, settings) = parse_classes(&classes);
        let mut h = Sha256::new();
        for part in [
            "bitloom-sim runtime",
            verilator_version,
            &VERILATOR_FLAGS.join(" "),
            &MAKE_VARS.join(" "),
            &TEMPLATE_VERSION.to_string(),
            &settings.join(" "),
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        let key = hex::encode(h.finalize());
        Some(Runtime {
            dir: cache_dir.join(format!("runtime-{}", &key[..32])),
            objects,
        })
    }

    /// Copies the objects already in the shared directory into `obj`, newer than the
    /// makefile, so make considers them up to date. Returns the names copied.
    fn copy_into(&self, obj: &Path) -> Vec<String> {
        self.objects
            .iter()
            .filter(|name| {
                let src = self.dir.join(format!("{name}.o"));
                src.is_file() && fs::copy(&src, obj.join(format!("{name}.o"))).is_ok()
            })
            .cloned()
            .collect()
    }

    /// Stores the objects make just compiled (those not in `reused`), each file atomically.
    /// Best effort: failing only costs a later build some time.
    fn publish_from(&self, obj: &Path, reused: &[String]) {
        if fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        for name in self.objects.iter().filter(|n| !reused.contains(n)) {
            let src = obj.join(format!("{name}.o"));
            let Ok(tmp) = tempfile::NamedTempFile::new_in(&self.dir) else {
                return;
            };
            if fs::copy(&src, tmp.path()).is_ok() {
                let _ = tmp.persist(self.dir.join(format!("{name}.o")));
            }
        }
    }
}

/// From a Verilator `<prefix>_classes.mk`: the run-time objects (`VM_GLOBAL_FAST` and
/// `VM_GLOBAL_SLOW`) and the single-valued settings (`VM_TRACE = 1`, ...) that shape their
/// compile flags.
fn parse_classes(text: &str) -> (Vec<String>, Vec<String>) {
    let mut objects = Vec::new();
    let mut settings = Vec::new();
    let mut collecting = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if collecting {
            let name = trimmed.trim_end_matches('\\').trim();
            if name.is_empty() {
                collecting = false;
            } else {
                objects.push(name.to_string());
            }
            continue;
        }
        if let Some(rest) = trimmed
            .strip_prefix("VM_GLOBAL_FAST +=")
            .or_else(|| trimmed.strip_prefix("VM_GLOBAL_SLOW +="))
        {
            objects.extend(
                rest.split_whitespace()
                    .filter(|w| *w != "\\")
                    .map(str::to_string),
            );
            collecting = trimmed.ends_with('\\');
        } else if trimmed.starts_with("VM_")
            && trimmed.contains(" = ")
            && !trimmed.starts_with("VM_PARALLEL_BUILDS")
        {
            settings.push(trimmed.to_string());
        }
    }
    (objects, settings)
}

fn key_lock(key: &str) -> Arc<Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<Mutex<()>>>>> = OnceLock::new();
    let mut locks = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    locks.entry(key.to_string()).or_default().clone()
}

fn run(cmd: &mut Command, tool: &str) -> Result<Output, SimError> {
    cmd.output().map_err(|source| SimError::Spawn {
        tool: tool.to_string(),
        source,
    })
}

/// stderr then stdout, as text.
fn combined(out: &Output) -> String {
    let mut s = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !stdout.trim().is_empty() {
        if !s.is_empty() && !s.ends_with('\n') {
            s.push('\n');
        }
        s.push_str(&stdout);
    }
    s.trim_end().to_string()
}

fn append_log(log: &mut String, tool: &str, out: &Output) {
    let _ = writeln!(log, "==== {tool} ({})", out.status);
    let _ = writeln!(
        log,
        "---- stdout\n{}",
        String::from_utf8_lossy(&out.stdout).trim_end()
    );
    let _ = writeln!(
        log,
        "---- stderr\n{}",
        String::from_utf8_lossy(&out.stderr).trim_end()
    );
}

/// The last `n` lines of `text`, with a note when lines were dropped.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= n {
        return text.to_string();
    }
    format!(
        "[... {} earlier lines omitted ...]\n{}",
        lines.len() - n,
        lines[lines.len() - n..].join("\n")
    )
}

fn describe(req: &BuildRequest, version: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "top = {}", req.top);
    let _ = writeln!(s, "in_bits = {}", req.in_bits);
    let _ = writeln!(s, "out_bits = {}", req.out_bits);
    let _ = writeln!(s, "trace = {}", req.trace);
    let _ = writeln!(s, "wrapper_version = {TEMPLATE_VERSION}");
    let _ = writeln!(s, "verilator = {version}");
    for f in &req.rtl_files {
        let _ = writeln!(s, "rtl_file = {}", f.display());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(dir: &Path) -> BuildRequest {
        let f = dir.join("t.v");
        fs::write(&f, "module t; endmodule\n").unwrap();
        BuildRequest {
            rtl_files: vec![f],
            top: "t".into(),
            in_bits: 8,
            out_bits: 8,
            trace: false,
        }
    }

    #[test]
    fn missing_verilator_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("bin");
        fs::create_dir(&empty).unwrap();
        let err = build_with_path(
            &req(dir.path()),
            dir.path(),
            None,
            Some(empty.into_os_string()),
        )
        .unwrap_err();
        assert!(matches!(err, SimError::VerilatorNotFound));
        assert_eq!(
            err.to_string(),
            "verilator not found: install it with `apt-get install verilator`"
        );
        let err = build_with_path(&req(dir.path()), dir.path(), None, None).unwrap_err();
        assert!(matches!(err, SimError::VerilatorNotFound));
    }

    #[test]
    fn requests_are_validated() {
        let dir = tempfile::tempdir().unwrap();
        let good = req(dir.path());
        let cases = [
            (
                BuildRequest {
                    rtl_files: vec![],
                    ..good.clone()
                },
                "no RTL files",
            ),
            (
                BuildRequest {
                    top: "1x".into(),
                    ..good.clone()
                },
                "not a Verilog identifier",
            ),
            (
                BuildRequest {
                    top: "a b".into(),
                    ..good.clone()
                },
                "not a Verilog identifier",
            ),
            (
                BuildRequest {
                    in_bits: 0,
                    ..good.clone()
                },
                "in_bits = 0",
            ),
            (
                BuildRequest {
                    out_bits: 1 << 20,
                    ..good.clone()
                },
                "out_bits = 1048576",
            ),
            (
                BuildRequest {
                    rtl_files: vec![dir.path().join("nope.v")],
                    ..good.clone()
                },
                "does not exist",
            ),
        ];
        for (r, msg) in cases {
            let err = check_request(&r).unwrap_err().to_string();
            assert!(err.contains(msg), "{err}");
        }
        assert!(check_request(&good).is_ok());
    }

    #[test]
    fn cache_key_depends_on_every_input() {
        let dir = tempfile::tempdir().unwrap();
        let r = req(dir.path());
        let src = vec![b"module t; endmodule".to_vec()];
        let k = cache_key(&src, &r, "Verilator 5.006");
        assert_eq!(k.len(), 64);
        assert_eq!(k, cache_key(&src, &r, "Verilator 5.006"));
        let others = [
            cache_key(&[b"module t;endmodule".to_vec()], &r, "Verilator 5.006"),
            cache_key(
                &[b"module t; end".to_vec(), b"module".to_vec()],
                &r,
                "Verilator 5.006",
            ),
            cache_key(
                &src,
                &BuildRequest {
                    top: "u".into(),
                    ..r.clone()
                },
                "Verilator 5.006",
            ),
            cache_key(
                &src,
                &BuildRequest {
                    in_bits: 9,
                    ..r.clone()
                },
                "Verilator 5.006",
            ),
            cache_key(
                &src,
                &BuildRequest {
                    out_bits: 9,
                    ..r.clone()
                },
                "Verilator 5.006",
            ),
            cache_key(
                &src,
                &BuildRequest {
                    trace: true,
                    ..r.clone()
                },
                "Verilator 5.006",
            ),
            cache_key(&src, &r, "Verilator 5.008"),
        ];
        for o in others {
            assert_ne!(k, o);
        }
    }

    #[test]
    fn parses_verilator_classes_mk() {
        let text = "# comment\nVM_C11 = 1\nVM_TIMING = 0\nVM_PARALLEL_BUILDS = 0\nVM_TRACE = 1\n\n\
                    VM_CLASSES_FAST += \\\n\tVdut \\\n\nVM_GLOBAL_FAST += \\\n\tverilated \\\n\t\
                    verilated_vcd_c \\\n\tverilated_threads \\\n\nVM_GLOBAL_SLOW += \\\n\n";
        let (objects, settings) = parse_classes(text);
        assert_eq!(
            objects,
            ["verilated", "verilated_vcd_c", "verilated_threads"]
        );
        assert_eq!(settings, ["VM_C11 = 1", "VM_TIMING = 0", "VM_TRACE = 1"]);
    }

    #[test]
    fn tail_keeps_the_end() {
        let text = (0..10)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(tail(&text, 20), text);
        assert_eq!(tail(&text, 2), "[... 8 earlier lines omitted ...]\n8\n9");
    }
}

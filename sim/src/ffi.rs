//! The module with most of the `unsafe` (the other use: `board` taking ownership of the two
//! descriptors `openpty` returns): loading a simulation library and calling its C ABI
//! (described in [`crate::wrapper`]).
//!
//! [`Model`] owns the loaded library and one instance (a `VerilatedContext` plus the model) and
//! offers a safe interface. Soundness rests on three facts:
//!
//! * the library is one this crate generated: [`Model::load`] checks the ABI version and the
//!   port widths it reports before creating an instance, so the buffer sizes used below are
//!   the ones the C++ code reads and writes;
//! * every buffer handed to C++ is checked to be at least that many words long;
//! * the instance is only touched through `&mut self` (or `&self` for the read-only `out`), and
//!   `Model` is `Send` but not `Sync`, so one thread at a time uses it.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::Path;
use std::ptr::NonNull;

use crate::error::SimError;
use crate::wrapper::TEMPLATE_VERSION;

type InfoFn = unsafe extern "C" fn() -> u32;
type NewFn = unsafe extern "C" fn(c_int, *const *const c_char) -> *mut c_void;
type FreeFn = unsafe extern "C" fn(*mut c_void);
type TextFn = unsafe extern "C" fn(*mut c_void) -> *const c_char;
type SetFn = unsafe extern "C" fn(*mut c_void, u32, *const u64) -> i32;
type TickFn = unsafe extern "C" fn(*mut c_void) -> i32;
type CycleFn = unsafe extern "C" fn(*mut c_void, u32, *const u64, *mut u64) -> i32;
type OutFn = unsafe extern "C" fn(*mut c_void, *mut u64);
type TraceOpenFn = unsafe extern "C" fn(*mut c_void, *const c_char) -> i32;

/// The library's entry points, looked up once when it is loaded.
struct Api {
    free: FreeFn,
    error: TextFn,
    warnings: TextFn,
    clear_warnings: FreeFn,
    set: SetFn,
    tick: TickFn,
    cycle: CycleFn,
    out: OutFn,
    trace_open: TraceOpenFn,
    trace_close: TickFn,
}

/// What a C ABI call returns when it fails.
pub(crate) enum CallError {
    /// A fatal error inside the model; the instance is poisoned. Carries the message.
    Fatal(String),
    /// A non-fatal failure with a message (e.g. the VCD file could not be opened).
    Failed(String),
    /// The library was built without tracing.
    NoTrace,
}

/// One model instance inside a loaded simulation library.
pub(crate) struct Model {
    api: Api,
    handle: NonNull<c_void>,
    in_words: usize,
    out_words: usize,
    has_trace: bool,
    // Declared last so it is dropped after `Drop::drop` has freed the instance.
    _lib: libloading::Library,
}

// SAFETY: the instance (context + model) has no affinity to the thread that created it: the
// wrapper makes the instance's context the current thread's Verilator context on every entry,
// and the model is single-threaded (built without --threads). `Model` is not `Sync`, and all
// mutating calls take `&mut self`, so the instance is never used from two threads at once.
unsafe impl Send for Model {}

fn symbol<T: Copy>(lib: &libloading::Library, path: &Path, name: &str) -> Result<T, SimError> {
    let cname = format!("bitloom_sim_{name}\0");
    // SAFETY: every `T` requested below is the exact C signature the wrapper exports under
    // this name (see the table in `wrapper`); the ABI version was or will be checked before
    // any function other than the `u32` info functions is called.
    let sym = unsafe { lib.get::<T>(cname.as_bytes()) }.map_err(|e| SimError::Load {
        path: path.to_path_buf(),
        detail: format!(
            "symbol `bitloom_sim_{name}` missing ({e}); is this a bitloom-sim library?"
        ),
    })?;
    Ok(*sym)
}

fn text(ptr: *const c_char) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: the wrapper returns NUL-terminated strings owned by the instance (or static),
    // valid until the next call on that instance; we copy immediately.
    unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned()
}

impl Model {
    /// Loads `path`, checks it was built by this crate's wrapper for `in_bits`/`out_bits`, and
    /// creates one instance whose command line is `args` (the program name first).
    pub(crate) fn load(
        path: &Path,
        in_bits: usize,
        out_bits: usize,
        args: &[CString],
    ) -> Result<Model, SimError> {
        // SAFETY: loading runs the library's static constructors. The library is a Verilator
        // model plus our wrapper; their constructors only initialise Verilator's globals.
        // Symbols are bound locally (RTLD_LOCAL), so several such libraries can coexist.
        let lib = unsafe { libloading::Library::new(path) }.map_err(|e| SimError::Load {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        let incompatible = |detail: String| SimError::Incompatible {
            path: path.to_path_buf(),
            detail,
        };

        let abi: InfoFn = symbol(&lib, path, "abi")?;
        let lib_in: InfoFn = symbol(&lib, path, "in_bits")?;
        let lib_out: InfoFn = symbol(&lib, path, "out_bits")?;
        let has_trace: InfoFn = symbol(&lib, path, "has_trace")?;
        // SAFETY: these take no arguments and return constants.
        let (abi, lib_in, lib_out, has_trace) =
            unsafe { (abi(), lib_in(), lib_out(), has_trace()) };
        if abi != TEMPLATE_VERSION {
            return Err(incompatible(format!(
                "wrapper version {abi}, this bitloom-sim expects {TEMPLATE_VERSION}; rebuild it"
            )));
        }
        if lib_in as usize != in_bits || lib_out as usize != out_bits {
            return Err(incompatible(format!(
                "built for in_data {lib_in} bits / out_data {lib_out} bits, expected {in_bits} / {out_bits}"
            )));
        }

        let new: NewFn = symbol(&lib, path, "new")?;
        let api = Api {
            free: symbol(&lib, path, "free")?,
            error: symbol(&lib, path, "error")?,
            warnings: symbol(&lib, path, "warnings")?,
            clear_warnings: symbol(&lib, path, "clear_warnings")?,
            set: symbol(&lib, path, "set")?,
            tick: symbol(&lib, path, "tick")?,
            cycle: symbol(&lib, path, "cycle")?,
            out: symbol(&lib, path, "out")?,
            trace_open: symbol(&lib, path, "trace_open")?,
            trace_close: symbol(&lib, path, "trace_close")?,
        };

        let argv: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
        let argc = c_int::try_from(argv.len())
            .map_err(|_| SimError::InvalidInput("too many arguments".into()))?;
        // SAFETY: `argv` holds `argc` pointers to NUL-terminated strings that outlive the
        // call (Verilator copies the command line).
        let raw = unsafe { new(argc, argv.as_ptr()) };
        let handle = NonNull::new(raw).ok_or_else(|| SimError::Load {
            path: path.to_path_buf(),
            detail: "out of memory creating the model".into(),
        })?;
        let model = Model {
            api,
            handle,
            in_words: in_bits.div_ceil(64),
            out_words: out_bits.div_ceil(64),
            has_trace: has_trace != 0,
            _lib: lib,
        };
        let err = model.error_text();
        if !err.is_empty() {
            return Err(SimError::Load {
                path: path.to_path_buf(),
                detail: format!("creating the model failed: {err}"),
            });
        }
        Ok(model)
    }

    fn error_text(&self) -> String {
        // SAFETY: `handle` is a live instance of this library.
        text(unsafe { (self.api.error)(self.handle.as_ptr()) })
    }

    fn status(&self, r: i32) -> Result<u32, CallError> {
        if r >= 0 {
            Ok(r as u32)
        } else {
            Err(CallError::Fatal(self.error_text()))
        }
    }

    /// Whether the library was built with `--trace`.
    pub(crate) fn has_trace(&self) -> bool {
        self.has_trace
    }

    /// Warnings the model reported since the last call (one per line), then forgets them.
    pub(crate) fn take_warnings(&mut self) -> String {
        // SAFETY: live instance; the returned string is copied before the clear.
        let w = text(unsafe { (self.api.warnings)(self.handle.as_ptr()) });
        // SAFETY: live instance.
        unsafe { (self.api.clear_warnings)(self.handle.as_ptr()) };
        w
    }

    /// Sets `rst`/`in_valid`/`out_ready` from `ctl` and `in_data` from `input`, then evaluates.
    /// Returns the flags.
    #[inline]
    pub(crate) fn set(&mut self, ctl: u32, input: &[u64]) -> Result<u32, CallError> {
        assert!(
            input.len() >= self.in_words,
            "input buffer shorter than the in_data port"
        );
        // SAFETY: live instance; `input` holds at least `in_words` words, all the wrapper reads.
        let r = unsafe { (self.api.set)(self.handle.as_ptr(), ctl, input.as_ptr()) };
        self.status(r)
    }

    /// One clock cycle with the current inputs. Returns the flags after it.
    #[inline]
    pub(crate) fn tick(&mut self) -> Result<u32, CallError> {
        // SAFETY: live instance.
        let r = unsafe { (self.api.tick)(self.handle.as_ptr()) };
        self.status(r)
    }

    /// `set`, sample the handshake (copying `out_data` into `out` if a beat leaves), `tick`.
    /// Returns the flags sampled before the rising edge.
    #[inline]
    pub(crate) fn cycle(
        &mut self,
        ctl: u32,
        input: &[u64],
        out: &mut [u64],
    ) -> Result<u32, CallError> {
        assert!(
            input.len() >= self.in_words,
            "input buffer shorter than the in_data port"
        );
        assert!(
            out.len() >= self.out_words,
            "output buffer shorter than the out_data port"
        );
        // SAFETY: live instance; `input` has at least `in_words` readable words and `out` at
        // least `out_words` writable words, exactly what the wrapper accesses.
        let r = unsafe {
            (self.api.cycle)(self.handle.as_ptr(), ctl, input.as_ptr(), out.as_mut_ptr())
        };
        self.status(r)
    }

    /// Copies the current `out_data` into `out`.
    pub(crate) fn read_out(&self, out: &mut [u64]) {
        assert!(
            out.len() >= self.out_words,
            "output buffer shorter than the out_data port"
        );
        // SAFETY: live instance; `out` has at least `out_words` writable words. The call only
        // reads the model, and `Model` is not `Sync`, so no other call runs concurrently.
        unsafe { (self.api.out)(self.handle.as_ptr(), out.as_mut_ptr()) }
    }

    /// Starts a VCD trace into `path` (closing any open one).
    pub(crate) fn trace_open(&mut self, path: &CStr) -> Result<(), CallError> {
        // SAFETY: live instance; `path` is NUL-terminated and outlives the call.
        let r = unsafe { (self.api.trace_open)(self.handle.as_ptr(), path.as_ptr()) };
        self.trace_status(r)
    }

    /// Flushes and closes the VCD trace, if one is open.
    pub(crate) fn trace_close(&mut self) -> Result<(), CallError> {
        // SAFETY: live instance.
        let r = unsafe { (self.api.trace_close)(self.handle.as_ptr()) };
        self.trace_status(r)
    }

    fn trace_status(&self, r: i32) -> Result<(), CallError> {
        match r {
            0 => Ok(()),
            -2 => Err(CallError::Failed(self.error_text())),
            -3 => Err(CallError::NoTrace),
            _ => Err(CallError::Fatal(self.error_text())),
        }
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: `handle` came from `new` of this library, is freed exactly once, here, and
        // the library (`_lib`) is still loaded: fields are dropped after this body.
        unsafe { (self.api.free)(self.handle.as_ptr()) }
    }
}

/// The command-line argument for a path (bytes as they are on Unix).
pub(crate) fn path_arg(prefix: &str, path: &Path) -> Result<CString, SimError> {
    let mut bytes = prefix.as_bytes().to_vec();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        bytes.extend_from_slice(path.as_os_str().as_bytes());
    }
    #[cfg(not(unix))]
    bytes.extend_from_slice(path.to_string_lossy().as_bytes());
    CString::new(bytes)
        .map_err(|_| SimError::InvalidInput(format!("path {} contains a NUL byte", path.display())))
}

/// A path as a C string.
pub(crate) fn c_path(path: &Path) -> Result<CString, SimError> {
    path_arg("", path)
}

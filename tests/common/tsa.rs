//! A real RFC 3161 time-stamping authority on 127.0.0.1 for the signing
//! tests: Python's `http.server` handing each request to `openssl ts
//! -reply`, with a TSA key and certificate (critical timeStamping key
//! usage) made at test time in a temporary folder. Port 0, read back.
//!
//! `Mode::Good` answers as a TSA does; `Mode::WrongImprint` answers with a
//! valid token for other data (the hash of a fixed file, no nonce);
//! `Mode::Reject` answers with a rejection status and no token.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub enum Mode {
    Good,
    WrongImprint,
    Reject,
}

/// The running TSA; stopped (its own process, by id) when dropped.
pub struct Tsa {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Tsa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CONFIG: &str = "\
[ tsa ]
default_tsa = tsa_section
[ tsa_section ]
serial = ./serial
crypto_device = builtin
signer_cert = ./tsa.crt
signer_key = ./tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
";

const SERVER: &str = r#"
import http.server, subprocess, sys, os
mode = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if mode == "reject":
            # TimeStampResp { PKIStatusInfo { status rejection(2) } }
            out = bytes([0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02])
        else:
            with open("q.tsq", "wb") as f:
                f.write(body)
            if mode == "wrong-imprint":
                subprocess.run(["openssl", "ts", "-query", "-data", "tsa.cnf", "-sha256",
                                "-cert", "-no_nonce", "-out", "q.tsq"], check=True,
                               capture_output=True)
            subprocess.run(["openssl", "ts", "-reply", "-config", "tsa.cnf",
                            "-queryfile", "q.tsq", "-out", "r.tsr"], check=True,
                           capture_output=True)
            with open("r.tsr", "rb") as f:
                out = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), H)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

/// The TSA certificate's subject, as `brief verify` prints it.
pub const SUBJECT: &str = "O=Test Time Authority,CN=Test TSA";

/// Starts a TSA answering in `mode`.
pub fn start(mode: Mode) -> Tsa {
    let dir = tempfile::tempdir().unwrap();
    make_certificate(dir.path());
    std::fs::write(dir.path().join("tsa.cnf"), CONFIG).unwrap();
    std::fs::write(dir.path().join("serial"), "01\n").unwrap();
    let mode = match mode {
        Mode::Good => "good",
        Mode::WrongImprint => "wrong-imprint",
        Mode::Reject => "reject",
    };
    let mut child = Command::new("python3")
        .args(["-c", SERVER, mode])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("run python3");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().parse().expect("the TSA's port");
    Tsa {
        child,
        url: format!("http://127.0.0.1:{port}/"),
        _dir: dir,
    }
}

fn make_certificate(dir: &Path) {
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "tsa.key",
            "-out",
            "tsa.crt",
            "-days",
            "30",
            "-subj",
            "/CN=Test TSA/O=Test Time Authority",
            "-addext",
            "basicConstraints=critical,CA:false",
            "-addext",
            "keyUsage=critical,digitalSignature",
            "-addext",
            "extendedKeyUsage=critical,timeStamping",
        ])
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl req: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

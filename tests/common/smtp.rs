//! A real SMTP server for the tests: Python's aiosmtpd on 127.0.0.1,
//! storing every accepted message as `NNNN.eml` (with its envelope as
//! `NNNN.json`), refusing the addresses listed in `reject`, and slow to say
//! goodbye when `slow-quit` exists.

use super::in_ci;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn needs_aiosmtpd() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd, email"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if in_ci() {
            panic!("python3 with aiosmtpd is not installed, and CI=true: .ci/run must install it");
        }
        eprintln!("skipped: python3 with aiosmtpd not installed");
    }
    ok
}

/// A free TCP port on 127.0.0.1 (the socket is closed before the server
/// takes it; a clash is unlikely and would fail loudly).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const SERVER: &str = r#"
import asyncio, json, os, sys
from aiosmtpd.controller import Controller

store, port = sys.argv[1], int(sys.argv[2])

def rejected():
    try:
        with open(os.path.join(store, "reject")) as f:
            return f.read().split()
    except FileNotFoundError:
        return []

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in rejected():
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        # A slow goodbye, on request: a sender must have recorded the
        # acceptance before it waits for this.
        if os.path.exists(os.path.join(store, "slow-quit")):
            await asyncio.sleep(5)
        return "221 Bye"

    async def handle_DATA(self, server, session, envelope):
        n = len([f for f in os.listdir(store) if f.endswith(".eml")])
        name = "%04d" % n
        with open(os.path.join(store, name + ".json"), "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        with open(os.path.join(store, name + ".eml"), "wb") as f:
            f.write(envelope.original_content)
        return "250 2.0.0 Ok: queued as " + name

controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"#;

pub struct Smtp {
    child: Child,
    pub store: PathBuf,
    pub port: u16,
}

impl Smtp {
    pub fn start(dir: &Path) -> Smtp {
        let store = dir.join("smtp-store");
        std::fs::create_dir_all(&store).unwrap();
        let script = dir.join("smtp_server.py");
        std::fs::write(&script, SERVER).unwrap();
        let port = free_port();
        let mut child = Command::new("python3")
            .arg(&script)
            .arg(&store)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "SMTP server did not start");
        Smtp { child, store, port }
    }

    pub fn reject(&self, address: &str) {
        std::fs::write(self.store.join("reject"), address).unwrap();
    }

    pub fn accept_all(&self) {
        let _ = std::fs::remove_file(self.store.join("reject"));
    }

    /// Received messages, oldest first: (envelope JSON, message path).
    pub fn received(&self) -> Vec<(Value, PathBuf)> {
        let mut names: Vec<String> = std::fs::read_dir(&self.store)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|n| {
                let eml = self.store.join(&n);
                let envelope = std::fs::read_to_string(eml.with_extension("json")).unwrap();
                (serde_json::from_str(&envelope).unwrap(), eml)
            })
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

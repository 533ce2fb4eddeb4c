//! Debian's nginx serving a directory on loopback with its stock static configuration,
//! as an operator serves a mirror tree, for tests that judge a tree by a real web server.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running nginx; stopped when dropped.
pub struct Nginx {
    _dir: tempfile::TempDir,
    child: Child,
    port: u16,
}

/// Where Debian installs it (not on a non-root PATH).
pub const NGINX: &str = "/usr/sbin/nginx";

impl Nginx {
    /// Serves `root` on a free loopback port.
    pub fn serve(root: &Path) -> Nginx {
        assert!(
            Path::new(NGINX).is_file(),
            "{NGINX} is missing: apt-get install nginx-light (the tests serve mirror trees with it)"
        );
        let dir = tempfile::Builder::new()
            .prefix("gorig-nginx-")
            .tempdir()
            .unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let d = dir.path().display();
        let config = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             default_type application/octet-stream;\n\
             server {{\n    listen 127.0.0.1:{port};\n    root {root};\n  }}\n}}\n",
            root = root.display()
        );
        std::fs::write(dir.path().join("nginx.conf"), config).unwrap();
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx did not listen on {port}: {}",
                std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx {
            _dir: dir,
            child,
            port,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

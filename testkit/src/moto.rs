//! A moto server for the AWS wire tests: DynamoDB, SNS and SQS speaking the real AWS wire
//! protocol on a free 127.0.0.1 port, stopped (killed and reaped) when dropped. Each test
//! starts its own (start-up takes about a second), so tests share no state.
//!
//! Runs `$PYTHON -m moto.server` (default `python3`): `make tools-python` installs
//! moto[server] for that interpreter, where a `moto_server` script might not be on PATH.

use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;

/// Region the resources are created in (moto accepts any).
pub const REGION: &str = "us-east-1";
/// moto accepts any credentials; these are what the SDK and child processes present.
const ACCESS_KEY_ID: &str = "testing";
const SECRET_ACCESS_KEY: &str = "testing";
/// Generous for a loaded 2-core machine: moto is usually up in under a second.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub struct MotoServer {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl MotoServer {
    /// Starts moto and waits until it accepts connections. Panics with moto's own output
    /// when it does not come up (say, moto[server] is not installed).
    pub fn start() -> Self {
        // A free port can be taken by someone else between probing and moto binding it;
        // a second port fixes that.
        let mut last_error = String::new();
        for _ in 0..3 {
            match Self::try_start() {
                Ok(server) => return server,
                Err(error) => last_error = error,
            }
        }
        panic!("moto_server did not start: {last_error}\n(install it with `make tools-python`)");
    }

    fn try_start() -> Result<Self, String> {
        let port = free_port().map_err(|e| format!("no free port: {e}"))?;
        let log = std::env::temp_dir().join(format!("moto-{}-{port}.log", std::process::id()));
        let log_file = File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let stderr = log_file.try_clone().map_err(|e| e.to_string())?;
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let child = Command::new(&python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("spawning {python} -m moto.server: {e}"))?;
        let mut server = Self { child, port, log };
        server.wait_until_listening()?;
        Ok(server)
    }

    fn wait_until_listening(&mut self) -> Result<(), String> {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("moto exited with {status}: {}", self.output()));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "not listening after {STARTUP_TIMEOUT:?}: {}",
            self.output()
        ))
    }

    /// What moto printed so far (its request log included).
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// An SDK config that talks to this server only (explicit region, credentials and
    /// endpoint, so nothing from the environment or ~/.aws leaks in).
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new(
                ACCESS_KEY_ID,
                SECRET_ACCESS_KEY,
                None,
                None,
                "moto",
            ))
            .endpoint_url(self.endpoint())
            .load()
            .await
    }

    /// The environment a child process (the `bootstrap` binary) needs to reach this
    /// server through `aws_config`'s own environment handling.
    pub fn child_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_REGION", REGION.into()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY.into()),
            // No profile from the developer's ~/.aws may override the above.
            ("AWS_CONFIG_FILE", "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

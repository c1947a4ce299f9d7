//! A native load client for scripts/bench_api.py: replays one pre-signed HTTP request over
//! keep-alive connections for a while and prints the rate and latency percentiles. Native so
//! the client's own cost does not cap the figures (a Python client tops out near 3,000
//! requests per second on these machines).
//!
//!   api_load --url http://127.0.0.1:3000/ --request FILE [--seconds 10] [--connections 8]
//!
//! FILE holds the request's headers (`Name: value` per line), a blank line, then the body.
//! Prints one line: `requests=N rps=R p50_ms=A p99_ms=B failures=F`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Target {
    host: String,
    request: Vec<u8>,
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn target(url: &str, file: &str) -> Result<Target, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("only http:// URLs: `{url}`"))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read `{file}`: {e}"))?;
    let (head, body) = text
        .split_once("\n\n")
        .ok_or_else(|| format!("`{file}` needs a blank line between headers and body"))?;
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n");
    for line in head.lines().filter(|l| !l.trim().is_empty()) {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("host:")
            || lower.starts_with("content-length:")
            || lower.starts_with("connection:")
        {
            continue;
        }
        request += line.trim_end();
        request += "\r\n";
    }
    request += &format!("Content-Length: {}\r\n\r\n{body}", body.len());
    Ok(Target {
        host: host.to_owned(),
        request: request.into_bytes(),
    })
}

/// Sends the request and reads one response; `Ok((status, keep_alive))`.
fn exchange(stream: &mut BufReader<TcpStream>, request: &[u8]) -> std::io::Result<(u16, bool)> {
    stream.get_mut().write_all(request)?;
    let mut line = String::new();
    if stream.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut keep_alive = line.starts_with("HTTP/1.1");
    let mut length = None;
    loop {
        line.clear();
        stream.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let lower = header.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        } else if let Some(v) = lower.strip_prefix("connection:") {
            keep_alive = v.trim() == "keep-alive";
        }
    }
    match length {
        Some(n) => {
            let mut body = vec![0u8; n];
            stream.read_exact(&mut body)?;
        }
        None => {
            let mut sink = Vec::new();
            stream.read_to_end(&mut sink)?;
            keep_alive = false;
        }
    }
    Ok((status, keep_alive))
}

fn worker(target: Arc<Target>, stop: Arc<AtomicBool>) -> (Vec<f64>, usize) {
    let mut latencies = Vec::new();
    let mut failures = 0;
    let mut conn: Option<BufReader<TcpStream>> = None;
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        if conn.is_none() {
            match TcpStream::connect(&target.host) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    conn = Some(BufReader::new(s));
                }
                Err(_) => {
                    failures += 1;
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            }
        }
        let Some(stream) = conn.as_mut() else { continue };
        match exchange(stream, &target.request) {
            Ok((status, keep_alive)) => {
                latencies.push(started.elapsed().as_secs_f64() * 1000.0);
                if status != 200 {
                    failures += 1;
                }
                if !keep_alive {
                    conn = None;
                }
            }
            Err(_) => {
                failures += 1;
                conn = None;
            }
        }
    }
    (latencies, failures)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(file)) = (arg(&args, "--url"), arg(&args, "--request")) else {
        eprintln!("usage: api_load --url http://HOST:PORT/ --request FILE [--seconds 10] [--connections 8]");
        std::process::exit(2);
    };
    let seconds: f64 = arg(&args, "--seconds")
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    let connections: usize = arg(&args, "--connections")
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let target = match target(&url, &file) {
        Ok(t) => Arc::new(t),
        Err(e) => {
            eprintln!("api_load: {e}");
            std::process::exit(2);
        }
    };
    if !target.host.starts_with("127.0.0.1:") && !target.host.starts_with("localhost:") {
        eprintln!("api_load: loopback addresses only, not `{}`", target.host);
        std::process::exit(2);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let (t, s) = (target.clone(), stop.clone());
            std::thread::spawn(move || worker(t, s))
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut failures = 0;
    for t in threads {
        if let Ok((l, f)) = t.join() {
            latencies.extend(l);
            failures += f;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let at = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "requests={} rps={:.0} p50_ms={:.2} p99_ms={:.2} failures={failures}",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        at(0.5),
        at(0.99)
    );
}

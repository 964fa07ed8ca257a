import Foundation
import VigilClock

/// Reads packet captures with `tshark`, the independent decoder the BMP tests check against.
public enum Captures {
    /// Runs `tshark` (Debian's package) with `arguments`.
    public static func tshark(_ arguments: [String]) throws -> Tools.Result {
        let result = try Tools.run(Tools.which("tshark", package: "Debian's tshark package"), arguments)
        guard result.status == 0 else {
            throw Tools.NotInstalled(description: "tshark \(arguments.joined(separator: " ")) failed: \(result.errors)")
        }
        return result
    }

    /// The bytes sent to TCP port `port` in a capture (what BMP routers send a station on 1790), in
    /// sequence order, each byte once (retransmitted segments are dropped). Read from tshark's per-segment
    /// payloads; a gap in the sequence numbers is an error, since the stream could not be rebuilt.
    public static func tcpPayload(_ pcap: String, port: Int = 1790) throws -> [UInt8] {
        let out = try tshark([
            "-r", pcap, "-Y", "tcp.len>0 && tcp.dstport==\(port)", "-T", "fields", "-e", "tcp.stream", "-e", "tcp.seq",
            "-e", "tcp.payload",
        ]).output
        var segments: [(stream: Int, seq: Int, bytes: [UInt8])] = []
        for line in out.split(separator: "\n") {
            let f = line.split(separator: "\t")
            guard f.count == 3, let stream = Int(f[0]), let seq = Int(f[1]) else { continue }
            segments.append((stream, seq, hex(f[2])))
        }
        segments.sort { ($0.stream, $0.seq) < ($1.stream, $1.seq) }
        var bytes: [UInt8] = []
        var next = (stream: -1, seq: 0)
        for s in segments {
            if s.stream != next.stream { next = (s.stream, s.seq) }
            guard s.seq <= next.seq else {
                throw Tools.NotInstalled(description: "\(pcap): TCP stream \(s.stream) has a gap at \(next.seq)")
            }
            let skip = next.seq - s.seq
            guard skip < s.bytes.count else { continue }
            bytes += s.bytes[skip...]
            next.seq = s.seq + s.bytes.count
        }
        return bytes
    }

    static func hex(_ text: Substring) -> [UInt8] {
        let chars = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(chars.count / 2)
        var i = 0
        while i + 1 < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { break }
            bytes.append(hi << 4 | lo)
            i += 2
        }
        return bytes
    }

    /// BMP message type codes per message in the capture as tshark decodes them (port 1790 as BMP).
    public static func bmpMessageTypes(_ pcap: String) throws -> [Int] {
        let out = try tshark(["-r", pcap, "-d", "tcp.port==1790,bmp", "-T", "fields", "-e", "bmp.type"]).output
        return out.split(whereSeparator: { $0 == "\n" || $0 == "," }).compactMap { Int($0) }
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}

extension Captures {
    /// A tshark capture running in the background.
    public struct Running: Sendable {
        let pid: Int32
        let result: Task<Tools.Result, any Error>

        /// Stops the capture (SIGINT: tshark writes out what it has and exits) and returns its result.
        public func stop() async throws -> Tools.Result {
            kill(pid, SIGINT)
            return try await result.value
        }
    }

    /// Captures on `interface` into `path` until stopped (`Running.stop`, at most `seconds`), and returns
    /// once the capture file exists, that is once packets are being kept. Stopped when the code under
    /// test has finished, not after a fixed time, the capture holds everything it sent however slow a
    /// loaded machine made it.
    public static func capture(interface: String, seconds: Int = 120, to path: String) async throws -> Running {
        let tshark = try Tools.which("tshark", package: "Debian's tshark package")
        try? FileManager.default.removeItem(atPath: path)
        let pid = Locked<Int32>(0)
        let task = Task {
            try await Tools.offload {
                try Tools.run(tshark, ["-i", interface, "-a", "duration:\(seconds)", "-w", path, "-q"]) { started in
                    pid.withLock { $0 = started }
                }
            }
        }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: path) {
            try await Task.sleep(for: .milliseconds(100))
        }
        guard FileManager.default.fileExists(atPath: path), pid.withLock({ $0 }) > 0 else {
            task.cancel()
            throw Tools.NotInstalled(description: "tshark did not start capturing on \(interface)")
        }
        try await Task.sleep(for: .milliseconds(500))
        return Running(pid: pid.withLock { $0 }, result: task)
    }

    /// The `fields` of each packet in `pcap` that matches the display filter, one array per packet.
    public static func fields(_ pcap: String, filter: String, _ fields: [String]) throws -> [[String]] {
        let out = try tshark(["-r", pcap, "-Y", filter, "-T", "fields"] + fields.flatMap { ["-e", $0] }).output
        return out.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }
}

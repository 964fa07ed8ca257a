import BGP
import Foundation
import Testing
import VigilTesting

@testable import RISLive

/// The RIS Live frame parser against Foundation's JSON parser on the real frames in `data/real/ris-live/`,
/// and on the manual's shapes.
@Suite(.ownThread) struct RISFrameTests {
    static func lines() throws -> [String] {
        let text = try String(
            contentsOfFile: Fixtures.path("ris-live/libbgpstream__ris-live-stream.json"), encoding: .utf8)
        return text.split(separator: "\n").map(String.init)
    }

    @Test("every well-formed real frame reads as Foundation's JSON parser reads it")
    func realFramesMatchFoundation() throws {
        let lines = try Self.lines()
        #expect(lines.count == 7)
        var messages = 0
        for line in lines {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                continue
            }
            let type = object["type"] as? String
            let frame = try RISFrame(parsing: line)
            switch frame {
            case .message(let m):
                #expect(type == "ris_message")
                let data = try #require(object["data"] as? [String: Any])
                #expect(m.timestamp == data["timestamp"] as? Double)
                #expect(m.peer == IPAddress(data["peer"] as? String ?? ""))
                #expect("\(m.peerASN)" == data["peer_asn"] as? String)
                #expect(m.host == data["host"] as? String)
                // Origin and upstream by hand from the path: the last AS, then the last different one.
                if let path = data["path"] as? [Int] {
                    let origin = path.last.map { UInt32($0) }
                    let upstream = path.reversed().first { UInt32($0) != origin }.map { UInt32($0) }
                    #expect(m.origin == origin)
                    #expect(m.upstream == upstream)
                }
                let announced = (data["announcements"] as? [[String: Any]] ?? []).flatMap {
                    ($0["prefixes"] as? [String] ?? []).compactMap(IPPrefix.init)
                }
                #expect(m.announced == announced)
                #expect(m.withdrawn == (data["withdrawals"] as? [String] ?? []).compactMap(IPPrefix.init))
                switch data["type"] as? String {
                case "UPDATE": #expect(m.kind == .update)
                case "RIS_PEER_STATE": #expect(m.kind == .peerState(data["state"] as? String ?? ""))
                case let other: #expect(m.kind == .other(other ?? ""))
                }
                messages += 1
            case .error(let text):
                #expect(type == "ris_error")
                #expect(text == (object["data"] as? [String: Any])?["message"] as? String)
            default:
                Issue.record("unexpected frame \(frame)")
            }
        }
        #expect(messages == 5)
    }

    @Test("the real UPDATE frame: prefix, origin and upstream read by hand from its text")
    func realUpdate() throws {
        let line = try #require(try Self.lines().first)
        guard case .message(let m) = try RISFrame(parsing: line) else {
            Issue.record("not a message")
            return
        }
        // "path":[11708,32097,1299,52320,263009,263009,263009,263009,263009,52993,268481,268481]
        #expect(m.origin == 268481)
        #expect(m.upstream == 52993)
        #expect(m.announced == [IPPrefix("45.161.192.0/23")].compactMap { $0 })
        #expect(m.peerASN == 11708)
        #expect(m.host == "rrc00")
    }

    @Test("the truncated last frame is refused with the offset where the text ends")
    func truncatedFrame() throws {
        let line = try #require(try Self.lines().last)
        #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) == nil)
        #expect(throws: RISParseError.self) { try RISFrame(parsing: line) }
        do {
            _ = try RISFrame(parsing: line)
        } catch {
            #expect(error.offset == line.utf8.count)
        }
    }

    @Test("the manual's shapes: AS sets, empty withdrawal paths, host with .ripe.net, numeric peer_asn, IPv6 in full")
    func manualShapes() throws {
        let set =
            #"{"type":"ris_message","data":{"timestamp":1.5,"peer":"2001:db8::1","peer_asn":64500,"host":"rrc21.ripe.net","type":"UPDATE","path":[64500,64501,[64510,64511]],"announcements":[{"next_hop":"2001:db8::1","prefixes":["2001:db8:1000::/36"]}],"withdrawals":[]}}"#
        guard case .message(let m) = try RISFrame(parsing: set) else { throw RISParseError(offset: 0, reason: "") }
        #expect(m.host == "rrc21")
        #expect(m.peerASN == 64500)
        #expect(m.origin == nil)  // the path ends in an AS_SET
        #expect(m.upstream == nil)
        #expect(m.peer == IPAddress("2001:db8::1"))
        let withdrawal =
            #"{"data":{"timestamp":2,"peer":"192.0.2.1","peer_asn":"64500","host":"rrc00","type":"UPDATE","path":[],"withdrawals":["175.45.176.0/24"]},"type":"ris_message"}"#
        guard case .message(let w) = try RISFrame(parsing: withdrawal) else {
            throw RISParseError(offset: 0, reason: "")
        }
        #expect(w.withdrawn == [IPPrefix("175.45.176.0/24")].compactMap { $0 })
        #expect(w.origin == nil)
        // Addresses written out in full (RIS Live does not always compress IPv6) read as the short forms.
        let long =
            #"{"type":"ris_message","data":{"timestamp":3,"peer":"2001:0db8:0000:0000:0000:0000:0000:0001","peer_asn":"64500","host":"rrc00","type":"UPDATE","path":[64500,131279],"announcements":[{"next_hop":"2001:0db8::1","prefixes":["2001:0db8:0100:0000:0000:0000:0000:0000/40"]}]}}"#
        guard case .message(let l) = try RISFrame(parsing: long) else { throw RISParseError(offset: 0, reason: "") }
        #expect(l.peer == IPAddress("2001:db8::1"))
        #expect(l.announced == [IPPrefix("2001:db8:100::/40")].compactMap { $0 })
        guard case .pong = try RISFrame(parsing: #"{"type":"pong","data":null}"#) else {
            throw RISParseError(offset: 0, reason: "")
        }
        for bad in [
            #"{"type":"ris_message","data":{"peer":"1.2.3.4"}}"#, #"{"data":{}}"#, "[]", "", #"{"type":"x"} x"#,
        ] {
            #expect(throws: RISParseError.self) { try RISFrame(parsing: bad) }
        }
    }
}

/// Frames a misbehaving or impersonated server could send (the security review's findings).
@Suite(.ownThread) struct RISFrameHardeningTests {
    static func frame(timestamp: String) -> String {
        #"{"type":"ris_message","data":{"timestamp":"# + timestamp
            + #","peer":"192.0.2.1","peer_asn":"64500","id":"x","host":"rrc00.ripe.net","type":"UPDATE","path":[64500,131279],"announcements":[{"next_hop":"192.0.2.1","prefixes":["175.45.176.0/24"]}]}}"#
    }

    static func reason(_ text: String) -> String? {
        do {
            _ = try RISFrame(parsing: text)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("timestamps beyond the year 9999, infinite or before 1970 make the frame an error")
    func timestamps() throws {
        #expect(Self.reason(Self.frame(timestamp: "1e19")) == "timestamp is after the year 9999")
        #expect(Self.reason(Self.frame(timestamp: "1e999")) == "timestamp is not a finite number")
        #expect(Self.reason(Self.frame(timestamp: "-5")) == "timestamp is before 1970")
        guard case .message(let m) = try RISFrame(parsing: Self.frame(timestamp: "1749231003.25")) else {
            Issue.record("not a message")
            return
        }
        #expect(m.timestamp == 1_749_231_003.25)
    }

    @Test("500,000 nested brackets are an error at a bounded depth, not a stack overflow")
    func nesting() {
        let deep = #"{"type":"ris_message","data":{"x":"# + String(repeating: "[", count: 500_000) + "}}"
        #expect(Self.reason(deep) == "values nested more than 32 deep")
        // 32 deep is still read (the frame's own object and data count as two levels).
        let ok =
            #"{"type":"ris_message","data":{"x":"# + String(repeating: "[", count: 30)
            + String(repeating: "]", count: 30) + #","timestamp":1,"peer":"192.0.2.1"}}"#
        #expect(Self.reason(ok) == nil)
    }
}

import BGP
import Foundation
import MRT
import VigilClock

/// RIS Live frames made from MRT update files (the lab's recordings): one `ris_message` per UPDATE
/// record, with its path, announcements and withdrawals, and a `RIS_PEER_STATE` per session change, as
/// RIS Live would have sent them. MRT is read with Vigil's decoder, whose output the tests check against
/// bgpdump elsewhere.
public enum RISLiveFrames {
    /// The frames of `paths` (update files), in file order, `host` as the collector. Made once per test
    /// process and kept: several suites stream the same real file.
    public static func fromMRT(_ paths: [String], host: String = "rrc00") throws -> [RISTestFrame] {
        let key = paths.joined(separator: "\n") + "\n" + host
        if let made = made.withLock({ $0[key] }) { return made }
        let frames = try make(paths, host: host)
        made.withLock { $0[key] = frames }
        return frames
    }

    private static let made = Locked<[String: [RISTestFrame]]>([:])

    static func make(_ paths: [String], host: String) throws -> [RISTestFrame] {
        var frames: [RISTestFrame] = []
        for path in paths {
            let reader = try MRTReader.open(path: path)
            var decoder = MRTDecoder()
            while let record = try reader.next() {
                var announced: [IPPrefix] = []
                var withdrawn: [IPPrefix] = []
                var path: [UInt32] = []
                var setAtEnd = false
                var peer: (IPAddress, UInt32)?
                var time = 0.0
                var state: String?
                _ = decoder.decode(record) { e in
                    peer = (e.peerAddress, e.peerASN)
                    time = e.time
                    switch e.kind {
                    case .announcement:
                        announced.append(e.prefix)
                        if path.isEmpty, let asPath = (try? e.attributes.materialize())?.asPath {
                            for segment in asPath.segments {
                                if segment.kind == .sequence {
                                    path += segment.asns
                                    setAtEnd = false
                                } else {
                                    setAtEnd = true
                                }
                            }
                        }
                    case .withdrawal:
                        withdrawn.append(e.prefix)
                    case .stateChange:
                        state = e.newState == 6 ? "connected" : (e.oldState == 6 ? "down" : nil)
                    case .ribEntry:
                        break
                    }
                }
                guard let (address, asn) = peer else { continue }
                let head =
                    #"{"type":"ris_message","data":{"timestamp":\#(time),"peer":"\#(address)","peer_asn":"\#(asn)","id":"test","host":"\#(host)""#
                if let state {
                    frames.append(
                        RISTestFrame(text: head + #","type":"RIS_PEER_STATE","state":"\#(state)"}}"#, isPeerState: true)
                    )
                    continue
                }
                guard !announced.isEmpty || !withdrawn.isEmpty else { continue }
                var text = head + #","type":"UPDATE","path":["#
                text += path.map(String.init).joined(separator: ",") + (setAtEnd ? (path.isEmpty ? "[0]" : ",[0]") : "")
                text += #"],"origin":"igp","announcements":["#
                if !announced.isEmpty {
                    text += #"{"next_hop":"\#(address)","prefixes":["#
                    text += announced.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
                }
                text += #"],"withdrawals":["# + withdrawn.map { "\"\($0)\"" }.joined(separator: ",") + "]}}"
                frames.append(
                    RISTestFrame(text: text, prefixes: announced + withdrawn, origin: setAtEnd ? nil : path.last))
            }
        }
        return frames
    }
}

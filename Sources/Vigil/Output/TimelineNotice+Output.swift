import BGP

extension TimelineNotice {
    /// The notice as the console prints it: its time, two spaces, and the text, with "TARGET: " before it
    /// when `namingTarget` (several targets share the console).
    public func text(target: String, namingTarget: Bool) -> String {
        "\(UTCTime.iso(time))  \(namingTarget ? target + ": " : "")\(text)"
    }

    /// The notice as one JSON line: `{"type":"notice","target":...,"time":...,"text":...}`.
    public func jsonLine(target: String) -> String {
        var o = JSONObject()
        o.add("type", "notice")
        o.add("target", target)
        o.add("time", UTCTime.iso(time))
        o.add("text", text)
        return o.closed
    }
}

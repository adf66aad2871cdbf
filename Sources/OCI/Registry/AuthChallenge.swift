/// A `WWW-Authenticate` challenge: `Bearer realm="https://auth.example/token",service="reg",
/// scope="repository:x:pull"` or `Basic realm="Registry"` (RFC 7235 auth-params).
struct AuthChallenge: Equatable, Sendable {
    var scheme: String          // lowercased: "bearer", "basic"
    var parameters: [String: String]  // keys lowercased

    var realm: String? { parameters["realm"] }
    var service: String? { parameters["service"] }
    var scope: String? { parameters["scope"] }

    /// Parses every challenge in a header value (several may be comma-separated).
    static func parse(_ header: String) -> [AuthChallenge] {
        var result: [AuthChallenge] = []
        var s = Substring(header)
        func skipSpaces() { while let c = s.first, c == " " || c == "\t" || c == "," { s.removeFirst() } }
        func token() -> String {
            var t = ""
            while let c = s.first, c != " ", c != "\t", c != ",", c != "=" { t.append(c); s.removeFirst() }
            return t
        }
        skipSpaces()
        while !s.isEmpty {
            let scheme = token().lowercased()
            if scheme.isEmpty { s.removeFirst(); skipSpaces(); continue }
            var params: [String: String] = [:]
            while true {
                while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
                // Look ahead: `key=` continues this challenge; anything else starts the next.
                let save = s
                if s.first == "," { s.removeFirst(); while let c = s.first, c == " " || c == "\t" { s.removeFirst() } }
                let key = token().lowercased()
                guard !key.isEmpty, s.first == "=" else { s = save; break }
                s.removeFirst()
                var value = ""
                if s.first == "\"" {
                    s.removeFirst()
                    while let c = s.first {
                        s.removeFirst()
                        if c == "\\", let n = s.first { value.append(n); s.removeFirst(); continue }
                        if c == "\"" { break }
                        value.append(c)
                    }
                } else {
                    value = token()
                }
                params[key] = value
            }
            result.append(AuthChallenge(scheme: scheme, parameters: params))
            skipSpaces()
        }
        return result
    }
}

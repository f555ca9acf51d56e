import Testing
@testable import Classifier

@Suite("Secret scanner")
struct SecretScannerTests {
    @Test("credentials are found, by kind and line", arguments: [
        ("key AKIAIOSFODNN7EXAMPLE here", SecretScanner.Kind.awsAccessKey),
        ("token ghp_" + String(repeating: "a1B2", count: 9), .githubToken),
        ("github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGH", .githubToken),
        ("slack xoxb-123456789012-abcdefABCDEF", .slackToken),
        ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", .stripeKey),
        ("openai sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t", .openAIKey),
        ("AIzaSyA1234567890abcdefghijklmnopqrstuv", .googleAPIKey),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", .privateKey),
        ("-----BEGIN RSA PRIVATE KEY-----", .privateKey),
        ("card 4111 1111 1111 1111 exp 12/29", .cardNumber),
        ("card 5500-0000-0000-0004", .cardNumber),
        ("amex 3782 822463 10005", .cardNumber),
        ("plain 4111111111111111.", .cardNumber),
        ("IBAN DE89 3704 0044 0532 0130 00", .iban),
        ("GB82WEST12345698765432", .iban),
        ("password: hunter2", .password),
        ("Passwort=geheim", .password),
        ("db pwd = s3cr3t", .password),
        // The misses of the security review, each caught now.
        ("-----BEGIN PGP PRIVATE KEY BLOCK-----", .privateKey),
        ("jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", .jsonWebToken),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", .awsSecretKey),
        ("PIN 4711", .pin),
        ("My PIN for the Sparkasse card is 4711", .pin),
        ("PIN-Code: 0815", .pin),
        ("the wifi password is sunflower", .password),
        ("my email password is Tr0ub4dor&3", .password),
        ("Passwort ist Sonnenblume", .password),
        ("mein Passwort für Netflix lautet Kater2019", .password),
        ("le mot de passe du wifi est chaton123", .password),
        ("la contraseña es gatito99", .password),
        ("card 4111.1111.1111.1111", .cardNumber),
        ("iban de89 3704 0044 0532 0130 00", .iban),
        ("token ghp_\u{200B}" + String(repeating: "a1B2", count: 9), .githubToken),
        ("token gh\u{200B}p_" + String(repeating: "a1B2", count: 9), .githubToken),
        // Shell history, configs and URLs.
        ("DATABASE_URL=postgres://app:Xk29vLqp@db.internal:5432/app", .password),
        ("git clone https://anna:hunter2hunter2@git.example.org/anna/notes.git", .password),
        ("mysql -u root -pS3cretDb42 shop < dump.sql", .password),
        ("$ sshpass -p 'Summer2024' ssh pi@192.168.1.20", .password),
        ("redis-cli -h cache -a Kq8vNw2x ping", .password),
        ("curl -u admin:Pa55w0rd https://router.local/api", .password),
        ("psql --host db --password Tz8wq4Lm", .password),
        ("export PGPASSWORD=Tz8wq4Lm", .password),
        ("export GITLAB_TOKEN=glpat-8f3kd9a2mZx7Qw", .secretSetting),
        ("client_secret: \"9c2f7a1b4e6d8f0a3c5e\"", .secretSetting),
        ("SECRET_KEY = 'django-insecure-7h3k9q2m5x8v1b4n'", .secretSetting),
        ("api.key=AbC123dEf456GhI789", .secretSetting),
        ("TELEGRAM_BOT_TOKEN=5829104763:AAHfQk2Lx9mPqRsTuVwXyZ0123456789abcd", .secretSetting),
    ])
    func truePositives(text: String, kind: SecretScanner.Kind) {
        let hits = SecretScanner.scan("first line\n" + text)
        #expect(hits.contains(SecretScanner.Hit(kind: kind, line: 2)), "\(hits)")
    }

    @Test("CRLF lines are lines: the same hits, kinds and line numbers as the LF text")
    func crlfLines() {
        let lines = ["A walk by the lake.", "", "The card is 4111 1111 1111 1111 and more.", "",
                     "my password: hunter2hunter2", "IBAN DE89 3704 0044 0532 0130 00", "PIN 4711", ""]
        let lf = SecretScanner.scan(lines.joined(separator: "\n"))
        let crlf = SecretScanner.scan(lines.joined(separator: "\r\n"))
        #expect(crlf == lf)
        #expect(lf.map(\.line) == [3, 5, 6, 7], "\(lf)")
        // A lone CR is not a line break (the parser does not count one), and a CR not before an LF stays.
        #expect(SecretScanner.lines(of: "a\rb\r\nc\n\r").map(String.init) == ["a\rb", "c", "\r"])
        #expect(SecretScanner.lines(of: "").map(String.init) == [""])
        #expect(SecretScanner.lines(of: "x\n").map(String.init) == ["x", ""])
        // Lines end at LF even where it follows a combining mark or emoji, and text after it is whole.
        #expect(SecretScanner.lines(of: "e\u{301}\r\n👩‍👩‍👧\nz").map(String.init) == ["e\u{301}", "👩‍👩‍👧", "z"])
    }

    @Test("ordinary text is not a credential", arguments: [
        "Call me at 0151 2345 6789, order 4711",
        "We walked 12 km on 2026-11-22 and paid 1234567890123 cents",
        "card 4111 1111 1111 1112",
        "ids 3704 0044 0532 0130 01 and 4111 11 1111 1111 11",
        "IBAN DE89 3704 0044 0532 0130 01",
        "I forgot my password again",
        "the password field: see the manual",
        "sk-this-is-just-a-long-word-here",
        "Ask about AKIA at the desk",
        "Chapter 11, verse 3",
        "the password is in the blue notebook",
        "Bank PIN is in the blue notebook",
        "PIN changed in 2019",
        "my password was leaked, changed it",
        "Das Passwort ist zu kurz",
        "commit e83c5163316f89bfbde7d9ab23ca2e25604af290 fixed it",
        "we met on 2026.11.22 at 10.30",
        "Pinned the photo 4711 times",
        "The password manager is Bitwarden. Emergency access is set up for Tobias and Jana.",
        "Unser Passwort-Manager ist KeePassXC",
        // Shell lines, URLs and settings without a secret in them.
        "ssh://git@github.com/anna/notes.git and https://example.org/a:b@c",
        "https://user@example.org/ and http://[::1]:8080/ and mailto:anna@example.org",
        "psql --password (it asks for it) and mysql -u root -p shop",
        "curl -u anna https://example.org (prompts) and mysql -p $DB_PASS",
        "Secret Santa: 20 euros each, token: the blue one",
        "API key: ask Tom. The session token expires after 3600 seconds",
        "SECRET_KEY=${SECRET_KEY} and API_TOKEN=<your token here> and token = none",
        "GITHUB_TOKEN=xxxxxxxxxxxxxxxxxxxx or secret: ********",
        "my secret: I love pineapple pizza; the access token: see the wiki",
        "cache_secret=./config/secrets.yml",
    ])
    func falsePositives(text: String) {
        #expect(SecretScanner.scan(text).isEmpty, "\(SecretScanner.scan(text))")
    }

    @Test("Luhn and mod 97 by themselves")
    func checksums() {
        #expect(SecretScanner.luhn([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))
        #expect(!SecretScanner.luhn([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]))
        #expect(SecretScanner.hasIBAN("NL91ABNA0417164300"))
        #expect(!SecretScanner.hasIBAN("NL91ABNA0417164301"))
    }
}


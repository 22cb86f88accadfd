import CachewatchCore
import XCTest

/// `-n`, `CACHE_REDIS_DB` and the config file's `db`: one database, a list, or `all`, parsed once in the core.
final class DatabaseSelectionTests: XCTestCase {
    func testSingleListAndAll() throws {
        XCTAssertEqual(try DatabaseSelection.parse("0", source: "--db"), .single(0))
        XCTAssertEqual(try DatabaseSelection.parse(" 3 ", source: "--db"), .single(3))
        XCTAssertEqual(try DatabaseSelection.parse("0,1,3", source: "--db"), .list([0, 1, 3]))
        XCTAssertEqual(try DatabaseSelection.parse("3, 0", source: "--db"), .list([3, 0]), "order as given")
        XCTAssertEqual(try DatabaseSelection.parse("all", source: "--db"), .all)
        XCTAssertEqual(try DatabaseSelection.parse("ALL", source: "--db"), .all)
        XCTAssertEqual(try DatabaseSelection.parse("2147483647", source: "--db"), .single(2_147_483_647))
        XCTAssertEqual(DatabaseSelection.list([0, 1, 3]).description, "0,1,3")
        XCTAssertEqual(DatabaseSelection.all.description, "all")
        XCTAssertFalse(DatabaseSelection.single(1).isMultiple)
        XCTAssertTrue(DatabaseSelection.list([0, 1]).isMultiple)
        XCTAssertTrue(DatabaseSelection.all.isMultiple)
        XCTAssertEqual(DatabaseSelection.list([3, 1]).primary, 3)
    }

    func testBadValuesGiveOneSentenceNamingTheSource() {
        let cases: [(String, String)] = [
            ("abc", "is not a database number"), ("-1", "is not a database number"), ("1.5", "is not a database number"),
            ("0,,3", "has an empty entry"), ("0,", "has an empty entry"), (",", "has an empty entry"),
            ("1,1", "names database 1 twice"), ("2147483648", "is not a database number"),
            ("99999999999999999999999", "is not a database number"), ("0;1", "is not a database number"),
            ("all,1", "is not a database number"), ("", "is not a database number"), ("\u{1b}[2J", "is not a database number"),
            ((0...64).map(String.init).joined(separator: ","), "names more than 64 databases"),
        ]
        for (raw, expected) in cases {
            XCTAssertThrowsError(try DatabaseSelection.parse(raw, source: "--db"), raw) { error in
                let message = (error as? ConnectionOptionsError)?.message ?? ""
                XCTAssertEqual((error as? ConnectionOptionsError)?.kind, .badDB)
                XCTAssertTrue(message.contains(expected), "\(raw): \(message)")
                XCTAssertTrue(message.contains("(from --db)"), message)
                XCTAssertFalse(message.contains("\u{1b}"), "escaped: \(message)")
                XCTAssertEqual(message.filter { $0 == "\n" }.count, 0)
            }
        }
    }

    func testDatabasesToCensus() {
        XCTAssertEqual(DatabaseSelection.single(2).databases(keyspaceDatabases: [0, 1]), [2])
        XCTAssertEqual(DatabaseSelection.list([3, 0, 1]).databases(keyspaceDatabases: [0]), [3, 0, 1])
        XCTAssertEqual(DatabaseSelection.all.databases(keyspaceDatabases: [3, 0, 1, 3]), [0, 1, 3], "ascending, once each")
        XCTAssertEqual(DatabaseSelection.all.databases(keyspaceDatabases: []), [0], "an empty server: DB 0")
        XCTAssertEqual(DatabaseSelection.all.databases(keyspaceDatabases: [-1, 5]), [5], "out of range dropped")
        XCTAssertEqual(DatabaseSelection.all.databases(keyspaceDatabases: Array(0..<100)).count, 64)
    }

    func testConnectionOptionsCarryTheSelection() throws {
        let list = try ConnectionOptions.resolve(flags: ConnectionFlags(db: "0,1,3"), environment: [:], dotEnv: [:])
        XCTAssertEqual(list.databases, .list([0, 1, 3]))
        XCTAssertEqual(list.db, 0)
        let all = try ConnectionOptions.resolve(flags: ConnectionFlags(), environment: ["CACHE_REDIS_DB": "all"], dotEnv: [:])
        XCTAssertEqual(all.databases, .all)
        let single = try ConnectionOptions.resolve(flags: ConnectionFlags(db: "2"), environment: ["CACHE_REDIS_DB": "0,1"], dotEnv: [:])
        XCTAssertEqual(single.databases, .single(2), "the flag wins")
        XCTAssertEqual(single.db, 2)
        let url = try ConnectionOptions.resolve(flags: ConnectionFlags(url: "redis://h/4"), environment: [:], dotEnv: [:])
        XCTAssertEqual(url.databases, .single(4))
        XCTAssertThrowsError(try ConnectionOptions.resolve(flags: ConnectionFlags(), environment: [:], dotEnv: ["CACHE_REDIS_DB": "1,x"])) { error in
            XCTAssertTrue("\(error)".contains("(from CACHE_REDIS_DB in .env)"), "\(error)")
        }
    }

    func testConfigFileDb() throws {
        XCTAssertEqual(try ConfigFile.parse("[connection]\ndb = 2\n", file: "c.toml").connection.db, 2)
        XCTAssertEqual(try ConfigFile.parse("[connection]\ndb = \"0,1,3\"\n", file: "c.toml").connection.databases, .list([0, 1, 3]))
        XCTAssertEqual(try ConfigFile.parse("[connection]\ndb = [0, 1, 3]\n", file: "c.toml").connection.databases, .list([0, 1, 3]))
        XCTAssertEqual(try ConfigFile.parse("[connection]\ndb = \"all\"\n", file: "c.toml").connection.databases, .all)
        let bad: [(String, String)] = [
            ("[connection]\n\ndb = \"0,x\"\n", "c.toml:3: db must be a database number"),
            ("[connection]\ndb = [0, 0]\n", "c.toml:2: db must list database numbers"),
            ("[connection]\ndb = [0, \"1\"]\n", "c.toml:2: db must be a database number"),
            ("[connection]\ndb = []\n", "c.toml:2: db must be a database number"),
            ("[connection]\ndb = -1\n", "c.toml:2: db must be between 0 and 2147483647"),
            ("[connection]\ndb = 1.5\n", "c.toml:2: db must be a database number"),
        ]
        for (text, expected) in bad {
            XCTAssertThrowsError(try ConfigFile.parse(text, file: "c.toml"), text) { error in
                XCTAssertTrue(String(describing: error).hasPrefix(expected), "\(text): \(error)")
            }
        }
    }
}

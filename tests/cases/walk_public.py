from tests.walk import Case

WALK: dict = {
    "public:apply": Case("public", lambda w, v: {}),
    "public:villages": Case("public", lambda w, v: {}),
    "public:status": Case("public", lambda w, v: {}),
}

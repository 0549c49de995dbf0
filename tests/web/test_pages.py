from tests.factories import UserFactory


def test_home_is_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-Hans-CN"' in response.text


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"


def test_login_page_and_login(client, app):
    user = UserFactory()
    assert client.get("/auth/login").status_code == 200
    response = client.post("/auth/login", data={"email": user.email,
                                                "password": "correct horse battery"})
    assert response.status_code == 303
    assert client.get("/me/").status_code == 200


def test_ids_beyond_the_integer_range_are_404_not_500(client):
    assert client.get("/admin/users/99999999999999999999").status_code == 404
    assert client.get("/rounds/99999999999999999999").status_code == 404

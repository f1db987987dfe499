from django.test import RequestFactory, SimpleTestCase, override_settings

from pharmagarde.core.audit import client_ip


class ClientIpTestCase(SimpleTestCase):
    def request(self, **meta):
        return RequestFactory().get("/", **meta)

    def test_it_reads_the_socket_address(self):
        self.assertEqual(client_ip(self.request(REMOTE_ADDR="203.0.113.7")), "203.0.113.7")

    @override_settings(BEHIND_PROXY=False)
    def test_it_ignores_forwarded_headers_without_a_proxy(self):
        request = self.request(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
        self.assertEqual(client_ip(request), "203.0.113.7")

    @override_settings(BEHIND_PROXY=True)
    def test_it_reads_the_entry_our_proxy_wrote(self):
        request = self.request(REMOTE_ADDR="127.0.0.1",
                               HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.1")
        # The first entry came from the client and could be forged: only the last counts.
        self.assertEqual(client_ip(request), "198.51.100.1")

    @override_settings(BEHIND_PROXY=True)
    def test_it_drops_a_malformed_address(self):
        request = self.request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="pas-une-ip")
        self.assertIsNone(client_ip(request))

    def test_it_handles_no_request(self):
        self.assertIsNone(client_ip(None))

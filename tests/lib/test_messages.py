from unittest import TestCase

from pharmagarde.lib.messages import Message


class MessageTestCase(TestCase):
    def test_it_reads_as_the_french_text(self):
        message = Message("Vous en avez saisi %(count)d.", count=13)
        self.assertEqual(message, "Vous en avez saisi 13.")
        self.assertIn("saisi 13", message)

    def test_it_keeps_its_template_and_values(self):
        message = Message("Vous en avez saisi %(count)d.", count=13)
        self.assertEqual(message.template, "Vous en avez saisi %(count)d.")
        self.assertEqual(message.params, {"count": 13})

    def test_it_leaves_a_template_without_values_alone(self):
        self.assertEqual(Message("100 % sûr"), "100 % sûr")

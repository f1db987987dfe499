"""The kinds of inventory items, described once for the views, the forms and the history:
the URL word, the model, the form's fields, the list's columns, what the search looks in and
what the list can be filtered on. Adding a kind is one entry here (and its model)."""

from dataclasses import dataclass

from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import Person

from . import models as inventory


@dataclass(frozen=True)
class Kind:
    slug: str  # in the URL: /inventaire/<slug>/
    model: type[models.Model]
    fields: tuple[str, ...]  # of the form, in order
    columns: tuple[str, ...]  # of the list, in order (the first one links to the item)
    search: tuple[str, ...]  # text fields the search box looks in
    filters: tuple[str, ...] = ()  # choice or boolean fields the list filters on
    add_label: str = ""
    empty: str = ""  # what the empty list says to do

    @property
    def label(self):
        return self.model._meta.verbose_name_plural

    @property
    def param(self):
        """The URL parameter of one item: <account_id>, named for the access walk."""
        return f"{self.model._meta.model_name}_id"

    @property
    def inline_fields(self):
        """The list's columns that a row can edit in place (not the many-to-many ones)."""
        return tuple(name for name in self.columns if not self.field(name).many_to_many)

    @property
    def row_url_name(self):
        return f"{self.url_name}_row"

    @property
    def url_name(self):
        return f"inventory_{self.model._meta.model_name}"

    @property
    def history_url_name(self):
        return f"{self.url_name}_history"

    @property
    def delete_url_name(self):
        return f"{self.url_name}_delete"

    def field(self, name):
        return self.model._meta.get_field(name)


KINDS = (
    Kind("comptes", inventory.Account,
         ("system", "system_name", "login", "holder_kind", "holder", "is_admin", "mfa",
          "enabled", "last_used", "password_last_set", "password_never_expires", "notes"),
         ("login", "system", "holder", "is_admin", "mfa", "enabled", "last_used"),
         ("login", "system_name", "holder__last_name", "holder__first_name"),
         ("system", "is_admin", "enabled", "mfa"),
         _("Ajouter un compte"),
         _("Inscrivez les comptes de la structure : sessions Windows, logiciel métier, "
           "messagerie, banque, accès à distance. Commencez par les comptes administrateur.")),
    Kind("appareils", inventory.Device,
         ("name", "kind", "os_name", "os_version", "last_update", "disk_encrypted",
          "antivirus", "extended_support_paid", "owner", "location", "network_zone",
          "ip_address", "mac_address", "notes"),
         ("name", "kind", "os_name", "last_update", "disk_encrypted", "ip_address"),
         ("name", "os_name", "location", "mac_vendor"),
         ("kind", "disk_encrypted"),
         _("Ajouter un appareil"),
         _("Inscrivez les postes, portables, serveurs, box, imprimantes, caméras et "
           "appareils connectés : un appareil oublié n'est jamais mis à jour.")),
    Kind("logiciels", inventory.Software,
         ("name", "vendor", "version", "support_end", "extended_support_paid", "devices",
          "notes"),
         ("name", "vendor", "version", "support_end"),
         ("name", "vendor", "version"),
         (),
         _("Ajouter un logiciel"),
         _("Inscrivez le logiciel métier, la suite bureautique et les logiciels d'accès à "
           "distance, avec leur version : Pharmagarde signale ceux qui ne sont plus "
           "maintenus.")),
    Kind("wifi", inventory.WifiNetwork,
         ("ssid", "security", "is_guest", "separated", "notes"),
         ("ssid", "security", "is_guest", "separated"),
         ("ssid",),
         ("security", "is_guest"),
         _("Ajouter un réseau Wi-Fi"),
         _("Inscrivez chaque réseau Wi-Fi de vos locaux, y compris celui de la box et celui "
           "des visiteurs.")),
    Kind("supports", inventory.RemovableMedium,
         ("label", "kind", "encrypted", "holder", "notes"),
         ("label", "kind", "encrypted", "holder"),
         ("label",),
         ("kind", "encrypted"),
         _("Ajouter un support amovible"),
         _("Inscrivez les clés USB et disques externes qui servent au travail, en "
           "particulier ceux des sauvegardes.")),
    Kind("cartes-cps", inventory.CpsCard,
         ("holder", "kind", "kept_secure", "lent", "notes"),
         ("holder", "kind", "kept_secure", "lent"),
         ("holder__last_name", "holder__first_name"),
         ("kind", "lent"),
         _("Ajouter une carte CPS"),
         _("Inscrivez les cartes CPS et e-CPS de l'équipe : chacune est strictement "
           "personnelle.")),
    Kind("sauvegardes", inventory.Backup,
         ("what", "where", "frequency", "copies", "media", "offsite", "offline_copy",
          "errors_at_last_check", "encrypted", "separate_credentials", "last_restore_test",
          "test_every_months", "notes"),
         ("what", "where", "frequency", "offline_copy", "last_restore_test"),
         ("what", "where"),
         ("offline_copy",),
         _("Ajouter une sauvegarde"),
         _("Inscrivez chaque sauvegarde : ce qui est copié, où, à quelle fréquence, et la "
           "date du dernier test de restauration.")),
)
KINDS_BY_SLUG = {kind.slug: kind for kind in KINDS}
KINDS_BY_MODEL = {kind.model._meta.model_name: kind for kind in KINDS}

UNKNOWN_CHOICES = [("", _("Je ne sais pas")), ("true", _("Oui")), ("false", _("Non"))]


class KnownOrNotField(forms.TypedChoiceField):
    """Oui / Non / Je ne sais pas, for the nullable booleans: a radio list that a keyboard
    and a screen reader handle, where None stays « je ne sais pas »."""

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        super().__init__(choices=UNKNOWN_CHOICES, coerce=lambda v: v == "true",
                         empty_value=None, widget=forms.RadioSelect, **kwargs)

    def prepare_value(self, value):
        return {True: "true", False: "false"}.get(value, "")


def form_for(kind: Kind, organisation, fields: tuple[str, ...] | None = None):
    """The ModelForm of a kind (or of some of its fields: the inline edit of a list row),
    its person fields limited to the organisation's staff."""

    def formfield(field, **kwargs):
        if isinstance(field, models.BooleanField) and field.null:
            return KnownOrNotField(label=capfirst(field.verbose_name), required=False,
                                   help_text=field.help_text)
        if isinstance(field, models.DateField):
            kwargs["widget"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        return field.formfield(**kwargs)

    class ItemForm(forms.ModelForm):
        class Meta:
            model = kind.model
            formfield_callback = formfield

        Meta.fields = fields or kind.fields

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                if isinstance(field, forms.ModelChoiceField):
                    model = field.queryset.model
                    if model is Person:
                        field.queryset = Person.objects.filter(organisation=organisation)
                    elif model is inventory.Device:
                        field.queryset = inventory.Device.objects.filter(
                            organisation=organisation)
                        field.widget.attrs["size"] = 6

    return ItemForm

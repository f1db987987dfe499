"""Forms of the diagnostic: one answer to one question of the referential."""

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_COMMENT_LENGTH = 2000
# The value of the "Je ne sais pas" option among the choices: a choice id can never start
# with an underscore (referential schema), so it cannot collide with one.
DONT_KNOW = "_dont_know"


class AnswerForm(forms.Form):
    """The choices ticked (or "Je ne sais pas"), a comment and the revision the page showed.

    Radios and checkboxes post the same `choices` field; the kind of question decides how
    many may be ticked. The service checks the choices once more against the referential.
    """

    choices = forms.MultipleChoiceField(
        required=False,
        error_messages={"invalid_choice": _("Cette réponse ne fait pas partie des choix "
                                            "proposés.")},
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"), required=False, widget=forms.Textarea,
        max_length=MAX_COMMENT_LENGTH,
        error_messages={"max_length": _("Le commentaire est trop long : %(limit_value)d "
                                        "caractères au plus (il en compte %(show_value)d).")},
    )
    revision = forms.IntegerField(
        min_value=0, widget=forms.HiddenInput,
        error_messages={
            "required": _("La page était incomplète : rechargez-la puis répondez à nouveau."),
            "invalid": _("La page était incomplète : rechargez-la puis répondez à nouveau."),
            "min_value": _("La page était incomplète : rechargez-la puis répondez à nouveau."),
        },
    )

    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        options = [(c.id, c.label) for c in question.choices]
        if question.dont_know:
            options.append((DONT_KNOW, _("Je ne sais pas")))
        self.fields["choices"].choices = options

    def clean(self):
        cleaned = super().clean()
        ticked = cleaned.get("choices") or []
        dont_know = DONT_KNOW in ticked
        choice_ids = [c for c in ticked if c != DONT_KNOW]
        if "choices" in cleaned:
            if dont_know and choice_ids:
                self.add_error("choices", _("Cochez soit vos réponses, soit « Je ne sais "
                                            "pas », pas les deux."))
            elif not dont_know and not choice_ids:
                self.add_error("choices", _("Choisissez une réponse."))
            elif self.question.kind == "single" and len(choice_ids) > 1:
                self.add_error("choices", _("Une seule réponse est possible pour cette "
                                            "question."))
            else:
                exclusive = [self.question.choice(c) for c in choice_ids]
                exclusive = [c for c in exclusive if c is not None and c.exclusive]
                if exclusive and len(choice_ids) > 1:
                    self.add_error("choices", _("« %(label)s » ne peut pas être cochée avec "
                                                "d'autres réponses.")
                                   % {"label": exclusive[0].label})
        cleaned["choice_ids"] = choice_ids
        cleaned["dont_know"] = dont_know
        return cleaned

    def errors_list(self):
        """Every message, for display next to the question."""
        return [message for messages in self.errors.values() for message in messages]

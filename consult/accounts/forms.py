from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from consult.accounts.services import registration_problems
from consult.i18n import COMMON_TIMEZONES, LOCALE_NAMES
from consult.web import BaseForm

EMAIL_MSG = _l("Enter an e-mail address like name@example.com.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RegisterForm(BaseForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(EMAIL_MSG), Length(max=254), Email(EMAIL_MSG, check_deliverability=False)])
    display_name = StringField(
        _l("Display name"),
        description=_l("Shown beside what you post. At most 50 characters."),
        validators=[DataRequired(_l("Enter a display name."))])
    password = PasswordField(
        _l("Password"), description=_l("At least 10 characters."),
        validators=[DataRequired(_l("Enter a password."))])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", _l("The two passwords are not the same."))])

    def validate(self, extra_validators=None) -> bool:
        """The form's own checks and the sign-up rules together: every problem at once."""
        valid = super().validate(extra_validators)
        for problem in registration_problems(email=self.email.data or "",
                                             display_name=self.display_name.data or "",
                                             password=self.password.data or ""):
            field = self._fields[problem.field]
            if not field.errors:  # "enter a password" says it already
                self.add_service_error(problem)
                valid = False
        return valid


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(EMAIL_MSG),
                                                          Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password.")), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ResetRequestForm(BaseForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(EMAIL_MSG), Length(max=254), Email(EMAIL_MSG, check_deliverability=False)])


class ResetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), description=_l("At least 10 characters."),
                             validators=[DataRequired(_l("Enter a password."))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", _l("The two passwords are not the same."))])


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), description=_l("At least 10 characters."),
                                 validators=[DataRequired(_l("Enter a password."))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("new_password", _l("The two passwords are not the same."))])


class ProfileForm(BaseForm):
    display_name = StringField(_l("Display name"),
                               description=_l("Shown beside what you post. At most 50 characters."),
                               validators=[DataRequired(_l("Enter a display name."))])
    locale = SelectField(_l("Language"), choices=list(LOCALE_NAMES.items()),
                         validate_choice=False)
    timezone = SelectField(_l("Time zone"), choices=[(z, z) for z in COMMON_TIMEZONES],
                           validate_choice=False)


class LocaleForm(BaseForm):
    locale = SelectField(_l("Language"), choices=list(LOCALE_NAMES.items()),
                         validate_choice=False)
    next = HiddenField()


class DepartmentForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the department's name."))])
    name_en = StringField(_l("English name"), validators=[Optional()])
    slug = StringField(_l("Short name for addresses"),
                       description=_l(
                           "Lower-case letters, digits and hyphens, e.g. civil-affairs."),
                       validators=[DataRequired(_l("Enter a short name."))])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)
    min_period_days = IntegerField(
        _l("Minimum comment period"),
        description=_l("Rounds shorter than this need a public reason (30 days by default)."),
        default=30,
        validators=[Optional(),
                    NumberRange(min=1, max=365,
                                message=_l("Enter a number between %(min)s and %(max)s."))])
    min_period_workdays = BooleanField(
        _l("Count the minimum period in working days (official calendar)"))


class UserRolesForm(BaseForm):
    roles = MultiCheckboxField(_l("Roles"), choices=[], validate_choice=False)
    department_ids = MultiCheckboxField(_l("Official of these departments"), coerce=int,
                                        choices=[], validate_choice=False)


class EmptyForm(BaseForm):
    """A form with only the CSRF token, for buttons that post."""

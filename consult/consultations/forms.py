from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult.consultations.services import LIMITS, MAX_CLAUSE_BODY, MAX_CLAUSES
from consult.web import BaseForm


def _too_long(limit: int):
    return Length(max=limit, message=_l("Use at most %(max)d characters."))


class ConsultationForm(BaseForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Enter a title.")), _too_long(LIMITS["title"])],
        description=_l("The name of the policy, as people will search for it."))
    department_id = SelectField(_l("Department"), coerce=int,
                                validate_choice=False)  # the service checks it is one of yours
    summary = TextAreaField(_l("Summary"), validators=[_too_long(LIMITS["summary"])],
                            description=_l("Two or three sentences: what the policy does and "
                                           "whom it affects. Shown in lists and searched."))
    background = TextAreaField(_l("Background"),
                               validators=[_too_long(LIMITS["background"])],
                               description=_l("Why a policy is needed now."))
    goals = TextAreaField(_l("Goals"), validators=[_too_long(LIMITS["goals"])],
                          description=_l("What the policy should achieve."))
    tags = StringField(_l("Topic tags"), validators=[Length(max=500)],
                       description=_l("Separate tags with commas, e.g. 养老, 社区服务."))
    contact = StringField(_l("Contact"), validators=[_too_long(LIMITS["contact"])],
                          description=_l("Office, telephone or e-mail for questions."))


class ClauseForm(BaseForm):
    number = StringField(_l("Number"), validators=[
        DataRequired(_l("Enter the clause number, for example 第一条 or 3.1.")),
        _too_long(LIMITS["number"])], description=_l("As written in the draft: 第三条, 3 or 3.1."))
    heading = StringField(_l("Heading (optional)"), validators=[_too_long(LIMITS["heading"])])
    body = TextAreaField(_l("Text"), validators=[
        DataRequired(_l("Enter the text of the clause.")),
        Length(max=MAX_CLAUSE_BODY, message=_l(
            "A clause can have at most %(max)d characters. Split it into several clauses."))])
    chapter = StringField(_l("Chapter (optional)"), validators=[_too_long(LIMITS["chapter"])],
                          description=_l("The chapter heading the clause stands under, as "
                                         "written: 第二章 申请. Empty if the draft has no "
                                         "chapters."))
    section = StringField(_l("Section (optional)"), validators=[_too_long(LIMITS["section"])],
                          description=_l("The section of the chapter, as written: "
                                         "第一节 条件."))


class ImportForm(BaseForm):
    text = TextAreaField(
        _l("Paste the draft"),
        validators=[DataRequired(_l("Paste the text of the draft."))],
        description=_l("Lines starting 第…条 begin a clause (第三条【标题】 gives a heading); "
                       "lines starting 第…章 or 第…节 set the chapter or section of the "
                       "clauses after them. Without 第…条 lines, every paragraph becomes a "
                       "clause. At most %(n)d clauses.",
                       n=MAX_CLAUSES))


class PublishVersionForm(BaseForm):
    change_note = TextAreaField(_l("Change note"), validators=[
        DataRequired(_l("Say in a sentence what this version changes.")),
        _too_long(LIMITS["change_note"])],
        description=_l("Shown in the version history, e.g. 根据第一轮意见修改第五条。"))
    explanation = TextAreaField(_l("Explanation of the draft"), validators=[
        Optional(), _too_long(LIMITS["explanation"])],
        description=_l("The 起草说明: why the draft is needed, how it was prepared and what it "
                       "changes. Published with the version and in its Word and PDF."))


class EmptyForm(BaseForm):
    pass

from django.contrib.auth import views as auth_views
from django.urls import include, path

from talentloop.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("reauth/", include("talentloop.accounts.reauth")),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("manage/", views.account_list, name="account-list"),
    path("manage/<int:pk>/", views.account_detail, name="account-detail"),
    path("manage/<int:pk>/roles/<int:role_pk>/revoke/", views.role_revoke, name="role-revoke"),
    path("manage/<int:pk>/unlock/", views.account_unlock, name="account-unlock"),
    path("manage/<int:pk>/active/", views.account_activate, name="account-activate"),
    path("manage/<int:pk>/reset-code/", views.reset_code_issue, name="reset-code-issue"),
    path("reset/code/", views.reset_with_code, name="reset-with-code"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("reset/sent/", auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
         name="password-reset-done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
]

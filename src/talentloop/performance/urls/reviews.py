"""Pages of feedback, review cycles, calibration, final ratings, appeals and improvement plans."""

from django.urls import path

from talentloop.performance.views import feedback, reviews

urlpatterns = [
    # Feedback between colleagues
    path("feedback/", feedback.feedback_list, name="feedback-list"),
    path("feedback/give/", feedback.feedback_give, name="feedback-give"),
    path("feedback/request/", feedback.feedback_request, name="feedback-request"),
    path("feedback/requests/<int:pk>/decline/", feedback.feedback_request_decline, name="feedback-request-decline"),
    # Review cycles (HR), progress and peers
    path("review-cycles/", reviews.cycle_list, name="review-cycle-list"),
    path("review-cycles/new/", reviews.cycle_create, name="review-cycle-create"),
    path("review-cycles/<int:pk>/", reviews.cycle_detail, name="review-cycle-detail"),
    path("review-cycles/<int:pk>/status/", reviews.cycle_status, name="review-cycle-status"),
    path("review-cycles/<int:pk>/peers/<int:employee>/", reviews.review_peers, name="review-peers"),
    path("review-cycles/<int:pk>/calibration/", reviews.calibration, name="calibration"),
    path("review-cycles/<int:pk>/calibration/<int:employee>/", reviews.calibration_set, name="calibration-set"),
    # The reviews a person writes
    path("reviews/", reviews.my_reviews, name="review-list"),
    path("reviews/<int:pk>/", reviews.review_edit, name="review-edit"),
    # Final ratings and appeals
    path("ratings/", reviews.my_ratings, name="final-rating-list"),
    path("ratings/<int:pk>/acknowledge/", reviews.rating_acknowledge, name="final-rating-acknowledge"),
    path("ratings/<str:period>/appeal/", reviews.appeal_create, name="appeal-create"),
    path("appeals/", reviews.appeal_list, name="appeal-list"),
    path("appeals/<int:pk>/", reviews.appeal_detail, name="appeal-detail"),
    # Improvement plans
    path("plans/", feedback.plan_list, name="plan-list"),
    path("plans/new/", feedback.plan_create, name="plan-create"),
    path("plans/<int:pk>/", feedback.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/check-ins/", feedback.plan_check_in, name="plan-check-in"),
    path("plans/<int:pk>/goals/", feedback.plan_goal_add, name="plan-goal-add"),
    path("plans/<int:pk>/goals/<int:goal>/", feedback.plan_goal_status, name="plan-goal-status"),
    path("plans/<int:pk>/close/", feedback.plan_close, name="plan-close"),
]
